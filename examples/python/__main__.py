"""The stage environment of the shop platform, from Python: examples/yaml/Pulumi.yaml as a Python consumer
writes it after `pulumi package add`, which generates the typed `pulumi_k8s_baseline` SDK from the schema
the k8s-baseline plugin serves. Input names are the schema's, snake_cased as the Python SDK generator names
them; test/provider/examples.test.ts checks every one against schema.json and that this is the YAML program.
"""

import pulumi
import pulumi_k8s_baseline as k8s_baseline

config = pulumi.Config()

stage = k8s_baseline.SecureEnvironment(
    "stage",
    project="shop",
    env="stage",
    account_id="222222222222",
    region="eu-west-1",
    cluster={
        "identity_mode": "irsa",
        "oidc_provider_arn": "arn:aws:iam::222222222222:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5B8C1E2D3F4A5B6C7D8E9F0A1B2C3D4E",
        "oidc_issuer": "oidc.eks.eu-west-1.amazonaws.com/id/5B8C1E2D3F4A5B6C7D8E9F0A1B2C3D4E",
        "platform_egress_cidrs": ["10.20.0.0/24", "10.20.1.0/24"],
        "control_plane_cidrs": ["10.20.0.0/24"],
    },
    secret_backend="aws-secrets-manager",
    registries=["222222222222.dkr.ecr.eu-west-1.amazonaws.com/shop/"],
    hosted_zones=[{"zone_id": "Z0222222222222222STGZ", "domain": "stage.shop.example.com"}],
    acme_email="platform@shop.example.com",
    apps=[
        {
            "name": "payments",
            "owner": "team-payments",
            "tier": "backend",
            "secrets": [
                {
                    "name": "db-password",
                    "description": "Payments database password",
                    # A secret Output: the one input here that is not plain.
                    "value": config.require_secret("paymentsDbPassword"),
                },
            ],
            "egress": [{"cidrs": ["10.20.20.0/24"], "ports": [{"port": 5432}]}],
            "ingress": [{"namespaces": ["ingress-nginx"], "ports": [{"port": 8080}]}],
            "access": [{"group": "team-payments", "role": "edit"}],
        },
        {
            "name": "reports",
            "owner": "team-data",
            "tier": "data",
            "calls_kubernetes_api": True,
        },
    ],
)

pulumi.export("kmsKeyArn", stage.kms_key_arn)
pulumi.export("clusterIssuerName", stage.cluster_issuer_name)
pulumi.export("apps", stage.apps)
