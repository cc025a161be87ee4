/**
 * The controls the package is judged against, as data: the CIS Amazon EKS Benchmark, the NSA/CISA Kubernetes
 * Hardening Guidance, the Pod Security Standards and the production checklist of the design documents
 * (../shared/seeds). Which policy provides which control is in ./mapping.ts; this file only says what the
 * controls are, and, for those nothing in the package provides, who does and what to check instead.
 */

/** The frameworks of the catalogue. */
export const FrameworkId = {
    CisEks: "cis-eks",
    NsaCisa: "nsa-cisa",
    PodSecurityStandards: "pod-security-standards",
    SeedChecklist: "seed-checklist",
    Baseline: "k8s-baseline",
} as const;
export type FrameworkId = (typeof FrameworkId)[keyof typeof FrameworkId];

/** A framework: its name and version as its publisher gives them, where it was read and when. */
export interface Framework {
    readonly id: FrameworkId;
    readonly name: string;
    readonly version: string;
    /** Where the control ids and titles were read. */
    readonly source: string;
    /** The day they were last checked against the source (`YYYY-MM-DD`). */
    readonly checked: string;
}

/** The day the catalogue was last compared with its sources. */
export const CATALOGUE_CHECKED = "2026-12-02";

export const FRAMEWORKS: Readonly<Record<FrameworkId, Framework>> = {
    [FrameworkId.CisEks]: {
        id: FrameworkId.CisEks,
        name: "CIS Amazon Elastic Kubernetes Service (EKS) Benchmark",
        version: "1.8.0",
        // The benchmark itself is behind the CIS WorkBench login; kube-bench's eks-1.8.0 config carries its
        // recommendation ids and titles.
        source: "https://github.com/aquasecurity/kube-bench/tree/main/cfg/eks-1.8.0",
        checked: CATALOGUE_CHECKED,
    },
    [FrameworkId.NsaCisa]: {
        id: FrameworkId.NsaCisa,
        name: "NSA/CISA Kubernetes Hardening Guidance",
        version: "1.2 (August 2022)",
        source: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        checked: CATALOGUE_CHECKED,
    },
    [FrameworkId.PodSecurityStandards]: {
        id: FrameworkId.PodSecurityStandards,
        name: "Kubernetes Pod Security Standards",
        version: "v1.33 (the version every profile pins)",
        source: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
        checked: CATALOGUE_CHECKED,
    },
    [FrameworkId.SeedChecklist]: {
        id: FrameworkId.SeedChecklist,
        name: "Production Security Checklist of the design documents",
        version: "seed 004",
        source: "../shared/seeds/004_dfc5826031c2ad80.txt, section Production Checklist",
        checked: CATALOGUE_CHECKED,
    },
    [FrameworkId.Baseline]: {
        id: FrameworkId.Baseline,
        name: "k8s-baseline's own controls",
        version: "0.1",
        source: "README.md",
        checked: CATALOGUE_CHECKED,
    },
};

/** Who provides a control the package does not. */
export const Provider = {
    /** AWS runs it as part of the EKS service (the control plane, its endpoints, etcd). */
    Eks: "EKS",
    /** The node image and its configuration (EKS optimized AMI, Bottlerocket, the kubelet's config). */
    NodeHardening: "node hardening",
    /** The cluster's owner: account-level settings, cluster add-ons outside the baseline, processes. */
    ClusterOwner: "cluster owner",
    /** The build pipeline that makes and scans the images. */
    Pipeline: "CI pipeline",
} as const;
export type Provider = (typeof Provider)[keyof typeof Provider];

/** A control nothing in the package provides: who does, and what to check instead. */
export interface NotCovered {
    readonly providedBy: Provider;
    readonly check: string;
}

export interface Control {
    /** Unique over the catalogue, prefixed by the framework (`cis-eks-4.1.1`, `seed-checklist-12`). */
    readonly id: string;
    readonly framework: FrameworkId;
    /** The framework's own id of the control (`4.1.1`, a section title, a check name). */
    readonly reference: string;
    readonly title: string;
    /** The section of the framework it belongs to. */
    readonly section: string;
    /** Set when nothing in the package provides it. */
    readonly notCovered?: NotCovered;
    /**
     * Pod Security Standards controls: the evaluator's check ids (policies/pod-security/checks.ts) that
     * implement the control.
     */
    readonly checks?: readonly string[];
    /** Provided by a command of the package rather than by a policy or a component. */
    readonly providedByCommand?: string;
}

function cis(reference: string, section: string, title: string, notCovered?: NotCovered): Control {
    return { id: `cis-eks-${reference}`, framework: FrameworkId.CisEks, reference, section, title, notCovered };
}

const KUBE_BENCH_NODE =
    "run kube-bench (`--benchmark eks-1.8.0`, node checks) as a Job on each node group, or use an EKS optimized " +
    "AMI or Bottlerocket release whose CIS report is published";

const node = (reference: string, title: string) =>
    cis(reference, "3 Worker Nodes", title, { providedBy: Provider.NodeHardening, check: KUBE_BENCH_NODE });

const CIS_EKS: readonly Control[] = [
    cis("2.1.1", "2 Control Plane Configuration", "Enable audit logs"),
    cis("2.1.2", "2 Control Plane Configuration", "Ensure audit logs are collected and managed", {
        providedBy: Provider.ClusterOwner,
        check: "the CloudWatch log group /aws/eks/<cluster>/cluster has a retention period and is read by your SIEM",
    }),
    node("3.1.1", "Ensure that the kubeconfig file permissions are set to 644 or more restrictive"),
    node("3.1.2", "Ensure that the kubelet kubeconfig file ownership is set to root:root"),
    node("3.1.3", "Ensure that the kubelet configuration file has permissions set to 644 or more restrictive"),
    node("3.1.4", "Ensure that the kubelet configuration file ownership is set to root:root"),
    node("3.2.1", "Ensure that the Anonymous Auth is not enabled"),
    node("3.2.2", "Ensure that the --authorization-mode argument is not set to AlwaysAllow"),
    node("3.2.3", "Ensure that a Client CA File is configured"),
    node("3.2.4", "Ensure that the --read-only-port is disabled"),
    node("3.2.5", "Ensure that the --streaming-connection-idle-timeout argument is not set to 0"),
    node("3.2.6", "Ensure that the --make-iptables-util-chains argument is set to true"),
    node(
        "3.2.7",
        "Ensure that the --eventRecordQPS argument is set to 0 or a level which ensures appropriate event capture",
    ),
    node("3.2.8", "Ensure that the --rotate-certificates argument is not present or is set to true"),
    node("3.2.9", "Ensure that the RotateKubeletServerCertificate argument is set to true"),
    cis("4.1.1", "4.1 RBAC and Service Accounts", "Ensure that the cluster-admin role is only used where required"),
    cis("4.1.2", "4.1 RBAC and Service Accounts", "Minimize access to secrets"),
    cis("4.1.3", "4.1 RBAC and Service Accounts", "Minimize wildcard use in Roles and ClusterRoles"),
    cis("4.1.4", "4.1 RBAC and Service Accounts", "Minimize access to create pods"),
    cis("4.1.5", "4.1 RBAC and Service Accounts", "Ensure that default service accounts are not actively used"),
    cis(
        "4.1.6",
        "4.1 RBAC and Service Accounts",
        "Ensure that Service Account Tokens are only mounted where necessary",
    ),
    cis(
        "4.1.7",
        "4.1 RBAC and Service Accounts",
        "Cluster Access Manager API to streamline and enhance the management of access controls within EKS clusters",
        {
            providedBy: Provider.ClusterOwner,
            check: "`aws eks describe-cluster --query cluster.accessConfig.authenticationMode` is API",
        },
    ),
    cis("4.1.8", "4.1 RBAC and Service Accounts", "Limit use of the Bind, Impersonate and Escalate permissions"),
    cis("4.1.9", "4.1 RBAC and Service Accounts", "Minimize access to create PersistentVolume objects", {
        providedBy: Provider.ClusterOwner,
        check: "`kubectl auth can-i create persistentvolumes --as` each human group and controller: only storage admins",
    }),
    cis("4.1.10", "4.1 RBAC and Service Accounts", "Minimize access to the proxy sub-resource of Node objects"),
    cis("4.1.11", "4.1 RBAC and Service Accounts", "Minimize access to webhook configuration objects"),
    cis("4.1.12", "4.1 RBAC and Service Accounts", "Minimize access to the service account token creation"),
    cis("4.2.1", "4.2 Pod Security Standards", "Minimize the admission of privileged containers"),
    cis(
        "4.2.2",
        "4.2 Pod Security Standards",
        "Minimize the admission of containers wishing to share the host process ID namespace",
    ),
    cis(
        "4.2.3",
        "4.2 Pod Security Standards",
        "Minimize the admission of containers wishing to share the host IPC namespace",
    ),
    cis(
        "4.2.4",
        "4.2 Pod Security Standards",
        "Minimize the admission of containers wishing to share the host network namespace",
    ),
    cis("4.2.5", "4.2 Pod Security Standards", "Minimize the admission of containers with allowPrivilegeEscalation"),
    cis("4.3.1", "4.3 CNI Plugin", "Ensure CNI plugin supports network policies", {
        providedBy: Provider.ClusterOwner,
        check: "the VPC CNI add-on runs with enableNetworkPolicy: true (or another CNI that enforces NetworkPolicy)",
    }),
    cis("4.3.2", "4.3 CNI Plugin", "Ensure that all Namespaces have Network Policies defined"),
    cis("4.4.1", "4.4 Secrets Management", "Prefer using secrets as files over secrets as environment variables", {
        providedBy: Provider.ClusterOwner,
        check: "app teams mount the synced Secrets as volumes; `kubectl get pods -A -o json | jq '..|.secretKeyRef?'` finds none",
    }),
    cis("4.4.2", "4.4 Secrets Management", "Consider external secret storage"),
    cis("4.5.1", "4.5 General Policies", "Create administrative boundaries between resources using namespaces"),
    cis("4.5.2", "4.5 General Policies", "The default namespace should not be used", {
        providedBy: Provider.ClusterOwner,
        check: "`kubectl get all -n default` lists only the kubernetes Service",
    }),
    cis(
        "5.1.1",
        "5.1 Image Registry and Image Scanning",
        "Ensure Image Vulnerability Scanning using Amazon ECR image scanning or a third party provider",
        {
            providedBy: Provider.Pipeline,
            check: "the ECR registry's scanning configuration is enhanced (Inspector) or scan on push, and CI fails on critical findings",
        },
    ),
    cis("5.1.2", "5.1 Image Registry and Image Scanning", "Minimize user access to Amazon ECR", {
        providedBy: Provider.ClusterOwner,
        check: "IAM Access Analyzer: no human principal holds ecr:Put*/ecr:Delete* outside the release role",
    }),
    cis("5.1.3", "5.1 Image Registry and Image Scanning", "Minimize cluster access to read-only for Amazon ECR", {
        providedBy: Provider.ClusterOwner,
        check: "the node role has AmazonEC2ContainerRegistryReadOnly (or PullOnly) and no other ECR policy",
    }),
    cis("5.1.4", "5.1 Image Registry and Image Scanning", "Minimize Container Registries to only those approved"),
    cis("5.2.1", "5.2 Identity and Access Management (IAM)", "Prefer using dedicated Amazon EKS Service Accounts"),
    cis(
        "5.3.1",
        "5.3 AWS EKS Key Management Service",
        "Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS",
    ),
    cis("5.4.1", "5.4 Cluster Networking", "Restrict Access to the Control Plane Endpoint", {
        providedBy: Provider.Eks,
        check: "`aws eks describe-cluster --query cluster.resourcesVpcConfig.publicAccessCidrs` names only your ranges",
    }),
    cis(
        "5.4.2",
        "5.4 Cluster Networking",
        "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled",
        {
            providedBy: Provider.Eks,
            check: "`aws eks describe-cluster --query cluster.resourcesVpcConfig` shows endpointPrivateAccess true, endpointPublicAccess false",
        },
    ),
    cis("5.4.3", "5.4 Cluster Networking", "Ensure clusters are created with Private Nodes", {
        providedBy: Provider.ClusterOwner,
        check: "every node group's subnets have no route to an internet gateway and nodes have no public IP",
    }),
    cis("5.4.4", "5.4 Cluster Networking", "Ensure Network Policy is Enabled and set as appropriate"),
    cis("5.4.5", "5.4 Cluster Networking", "Encrypt traffic to HTTPS load balancers with TLS certificates"),
    cis(
        "5.5.1",
        "5.5 Authentication and Authorization",
        "Manage Kubernetes RBAC users with AWS IAM Authenticator for Kubernetes or Upgrade to AWS CLI v1.16.156 or greater",
        {
            providedBy: Provider.Eks,
            check: "kubeconfigs use `aws eks get-token`; no static token or client certificate is issued to people",
        },
    ),
];

function nsa(slug: string, section: string, title: string, notCovered?: NotCovered): Control {
    return { id: `nsa-cisa-${slug}`, framework: FrameworkId.NsaCisa, reference: title, section, title, notCovered };
}

const POD = "Kubernetes Pod security";
const NETWORK = "Network separation and hardening";
const AUTH = "Authentication and authorization";
const LOGGING = "Audit logging and threat detection";

const NSA_CISA: readonly Control[] = [
    nsa("non-root", POD, "Non-root containers and rootless container engines"),
    nsa("immutable-filesystem", POD, "Immutable container file systems"),
    nsa("secure-images", POD, "Building secure container images"),
    nsa("pod-security-enforcement", POD, "Pod security enforcement"),
    nsa("service-account-tokens", POD, "Protecting Pod service account tokens"),
    nsa("container-environments", POD, "Hardening container environments", {
        providedBy: Provider.NodeHardening,
        check: "the node image's container runtime config, and a sandboxed runtime class (gVisor, Kata) where workloads are untrusted",
    }),
    nsa("namespaces", NETWORK, "Namespaces"),
    nsa("network-policies", NETWORK, "Network policies"),
    nsa("resource-policies", NETWORK, "Resource policies"),
    nsa("control-plane", NETWORK, "Control plane hardening (etcd, kubeconfig files)", {
        providedBy: Provider.Eks,
        check: "EKS runs and patches the control plane and etcd; confirm the cluster's platform version is current",
    }),
    nsa("worker-node-segmentation", NETWORK, "Worker node segmentation", {
        providedBy: Provider.ClusterOwner,
        check: "node security groups admit only the control plane and the load balancers; nodes sit in private subnets",
    }),
    nsa("encryption", NETWORK, "Encryption"),
    nsa("secrets", NETWORK, "Secrets"),
    nsa("cloud-infrastructure", NETWORK, "Protecting sensitive cloud infrastructure"),
    nsa("network-separation", NETWORK, "Network separation of Services and ingress"),
    nsa("authentication", AUTH, "Authentication"),
    nsa("rbac", AUTH, "Role-based access control"),
    nsa("logging", LOGGING, "Logging (Kubernetes native audit logging)"),
    nsa("threat-detection", LOGGING, "Threat detection and alerting", {
        providedBy: Provider.ClusterOwner,
        check: "the baseline installs the runtime detector (RuntimeSecurity: Falco or Tetragon); its alerts reach someone who answers them",
    }),
    nsa("upgrading", "Upgrading and application security practices", "Upgrading and application security practices"),
];

function pss(level: "baseline" | "restricted", slug: string, title: string, checks: readonly string[]): Control {
    return {
        id: `pss-${level}-${slug}`,
        framework: FrameworkId.PodSecurityStandards,
        reference: `${level}: ${title}`,
        section: level === "baseline" ? "Baseline" : "Restricted",
        title,
        checks,
    };
}

const POD_SECURITY_STANDARDS: readonly Control[] = [
    pss("baseline", "host-process", "HostProcess", ["windowsHostProcess"]),
    pss("baseline", "host-namespaces", "Host Namespaces", ["hostNamespaces"]),
    pss("baseline", "privileged", "Privileged Containers", ["privileged"]),
    pss("baseline", "capabilities", "Capabilities", ["capabilities_baseline"]),
    pss("baseline", "hostpath-volumes", "HostPath Volumes", ["hostPathVolumes"]),
    pss("baseline", "host-ports", "Host Ports", ["hostPorts"]),
    pss("baseline", "host-probes", "Host Probes / Lifecycle Hooks", ["hostProbesAndHostLifecycle"]),
    pss("baseline", "apparmor", "AppArmor", ["appArmorProfile"]),
    pss("baseline", "selinux", "SELinux", ["seLinuxOptions"]),
    pss("baseline", "proc-mount", "/proc Mount Type", ["procMount"]),
    pss("baseline", "seccomp", "Seccomp", ["seccompProfile_baseline"]),
    pss("baseline", "sysctls", "Sysctls", ["sysctls"]),
    pss("restricted", "volume-types", "Volume Types", ["restrictedVolumes"]),
    pss("restricted", "privilege-escalation", "Privilege Escalation", ["allowPrivilegeEscalation"]),
    pss("restricted", "non-root", "Running as Non-root", ["runAsNonRoot"]),
    pss("restricted", "non-root-user", "Running as Non-root user", ["runAsUser"]),
    pss("restricted", "seccomp", "Seccomp", ["seccompProfile_restricted"]),
    pss("restricted", "capabilities", "Capabilities", ["capabilities_restricted"]),
    pss("restricted", "proc-mount", "/proc Mount Type (user namespaces)", ["procMount_restricted"]),
];

/** [section, item text, not covered] in the order of the checklist; ids are `seed-checklist-<n>` from 1. */
const SEED_ITEMS: readonly (readonly [string, string, NotCovered?, string?])[] = [
    [
        "Infrastructure Security",
        "Control plane HA with TLS encryption",
        {
            providedBy: Provider.Eks,
            check: "EKS runs the API servers and etcd across three availability zones; nothing to configure",
        },
    ],
    ["Infrastructure Security", "etcd encryption at rest enabled"],
    [
        "Infrastructure Security",
        "API Server behind firewall/VPN",
        {
            providedBy: Provider.Eks,
            check: "the cluster endpoint is private, or public with publicAccessCidrs limited to your ranges (CIS 5.4.1, 5.4.2)",
        },
    ],
    [
        "Infrastructure Security",
        "Node OS hardened (CIS benchmark)",
        { providedBy: Provider.NodeHardening, check: KUBE_BENCH_NODE },
    ],
    [
        "Infrastructure Security",
        "Regular security patches applied",
        {
            providedBy: Provider.ClusterOwner,
            check: "node groups roll to the latest AMI release each month; the cluster is within EKS standard support",
        },
    ],
    [
        "Infrastructure Security",
        "Separate control plane from worker nodes",
        { providedBy: Provider.Eks, check: "EKS runs the control plane in an AWS-owned account; nothing to configure" },
    ],
    ["Authentication & Authorization", "OIDC for human users (no static passwords)"],
    ["Authentication & Authorization", "No cluster-admin bindings (except break-glass)"],
    ["Authentication & Authorization", "Dedicated ServiceAccount per application"],
    ["Authentication & Authorization", "Disable default ServiceAccount token mounting"],
    [
        "Authentication & Authorization",
        "Regular RBAC audit (quarterly)",
        {
            providedBy: Provider.ClusterOwner,
            check: "each quarter, review `kubectl get rolebindings,clusterrolebindings -A` against this report's RBAC rows",
        },
    ],
    ["Authentication & Authorization", "Groups-based RBAC (not individual users)"],
    ["Pod Security", "Pod Security Standards enforced (restricted profile)"],
    ["Pod Security", "All pods run as non-root (runAsNonRoot: true)"],
    ["Pod Security", "All capabilities dropped (drop: [ALL])"],
    ["Pod Security", "Read-only root filesystem (where possible)"],
    ["Pod Security", "Resource limits set (prevent DoS)"],
    ["Pod Security", "No privileged containers"],
    ["Admission Control", "Policy engine deployed (OPA Gatekeeper or Kyverno)"],
    [
        "Admission Control",
        "Image scanning webhook enabled",
        {
            providedBy: Provider.Pipeline,
            check: "images are scanned before they are pushed (CIS 5.1.1); the baseline admits only digests from the env's registries",
        },
    ],
    ["Admission Control", "Resource validation policies active"],
    ["Admission Control", "Custom compliance policies enforced"],
    [
        "Admission Control",
        "Webhook monitoring (latency, failures)",
        {
            providedBy: Provider.ClusterOwner,
            check: "alert on apiserver_admission_webhook_rejection_count and Kyverno's admission latency metrics",
        },
    ],
    ["Secrets Management", "External secrets operator deployed (ESO)"],
    ["Secrets Management", "No secrets in Git repositories"],
    ["Secrets Management", "etcd encryption at rest enabled"],
    [
        "Secrets Management",
        "Secret rotation automated",
        {
            providedBy: Provider.ClusterOwner,
            check: "`aws secretsmanager describe-secret` shows RotationEnabled for each secret that can rotate (database credentials)",
        },
    ],
    ["Secrets Management", "Vault or cloud KMS integration"],
    ["Secrets Management", "RBAC limits secret access"],
    ["Network Security", "NetworkPolicy default deny in place"],
    [
        "Network Security",
        "Service mesh with mTLS enabled",
        {
            providedBy: Provider.ClusterOwner,
            check: "out of the baseline's scope: if a mesh is required, its PeerAuthentication is STRICT in every app namespace",
        },
    ],
    ["Network Security", "Ingress TLS termination configured"],
    ["Network Security", "Egress filtering implemented"],
    [
        "Network Security",
        "Network monitoring active",
        {
            providedBy: Provider.ClusterOwner,
            check: "VPC flow logs are on for the cluster's subnets and read by your SIEM",
        },
    ],
    ["Runtime Security", "Seccomp RuntimeDefault profile"],
    [
        "Runtime Security",
        "Image scanning in CI/CD pipeline",
        {
            providedBy: Provider.Pipeline,
            check: "the build fails on critical vulnerabilities before an image is pushed",
        },
    ],
    ["Runtime Security", "Falco deployed for threat detection"],
    ["Runtime Security", "No privileged containers in production"],
    [
        "Runtime Security",
        "Regular vulnerability patching",
        {
            providedBy: Provider.ClusterOwner,
            check: "base images are rebuilt on each upstream security release; node AMIs roll monthly",
        },
    ],
    [
        "Runtime Security",
        "Incident response plan documented",
        {
            providedBy: Provider.ClusterOwner,
            check: "a written plan names who is paged for a Kubernetes or AWS security finding",
        },
    ],
    ["Audit & Compliance", "Audit logging enabled (all mutations)"],
    [
        "Audit & Compliance",
        "Logs sent to external SIEM",
        { providedBy: Provider.ClusterOwner, check: "the EKS audit log group is subscribed to your SIEM" },
    ],
    [
        "Audit & Compliance",
        "Regular security audits (quarterly)",
        {
            providedBy: Provider.ClusterOwner,
            check: "each quarter, this report and kube-bench's node report are reviewed and signed off",
        },
    ],
    [
        "Audit & Compliance",
        "CIS benchmark compliance verified",
        {
            providedBy: Provider.ClusterOwner,
            check: "kube-bench eks-1.8.0 on the nodes, plus this report's CIS rows for sections 4 and 5",
        },
    ],
    [
        "Audit & Compliance",
        "Vulnerability scanning automated",
        {
            providedBy: Provider.Pipeline,
            check: "ECR enhanced scanning (Inspector) rescans pushed images continuously",
        },
    ],
    ["Audit & Compliance", "Compliance reports generated", undefined, "k8s-baseline report"],
    [
        "Monitoring & Response",
        "Security metrics in Prometheus",
        { providedBy: Provider.ClusterOwner, check: "Kyverno's and the API server's metrics are scraped" },
    ],
    [
        "Monitoring & Response",
        "Alerts for security violations",
        {
            providedBy: Provider.ClusterOwner,
            check: "Kyverno PolicyReports with failures and advisory preview findings page the owning team",
        },
    ],
    [
        "Monitoring & Response",
        "Incident response runbooks",
        {
            providedBy: Provider.ClusterOwner,
            check: "runbooks exist for a leaked secret (rotate in Secrets Manager or Vault, refresh the ExternalSecret)",
        },
    ],
    [
        "Monitoring & Response",
        "Regular security drills",
        { providedBy: Provider.ClusterOwner, check: "a drill each half-year exercises a runbook end to end" },
    ],
    [
        "Monitoring & Response",
        "Post-incident reviews",
        { providedBy: Provider.ClusterOwner, check: "each incident has a written review with follow-up issues" },
    ],
];

/** The id of the n-th item (from 1) of the production checklist. */
export function seedChecklistId(n: number): string {
    return `seed-checklist-${n}`;
}

const SEED_CHECKLIST: readonly Control[] = SEED_ITEMS.map(([section, text, notCovered, command], index) => ({
    id: seedChecklistId(index + 1),
    framework: FrameworkId.SeedChecklist,
    reference: String(index + 1),
    section,
    title: text,
    notCovered,
    providedByCommand: command,
}));

const BASELINE_CONTROLS: readonly Control[] = [
    {
        id: "k8s-baseline-secrets-cost",
        framework: FrameworkId.Baseline,
        reference: "secrets-cost",
        section: "Cost",
        title: "The secrets plumbing of an env stays within its profile's monthly budget",
    },
];

/** Every control, by framework in catalogue order. */
export const CONTROLS: readonly Control[] = [
    ...CIS_EKS,
    ...NSA_CISA,
    ...POD_SECURITY_STANDARDS,
    ...SEED_CHECKLIST,
    ...BASELINE_CONTROLS,
];

/** Controls by id; built once. */
export const CONTROLS_BY_ID: ReadonlyMap<string, Control> = new Map(CONTROLS.map((control) => [control.id, control]));
