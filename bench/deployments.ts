/**
 * The large input of the `check` benchmark: one multi-document file of compliant Deployments (two containers
 * each, probes, resources, a hardened security context, images by digest from the prod registry), about
 * 2.5 kB per document, as a generated or rendered release can be.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** A stable 64-hex-digit digest per document and container. */
function digest(index: number, container: number): string {
    return (index * 2 + container).toString(16).padStart(64, "0");
}

function deployment(i: number): string {
    return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: team-${i % 50}
  labels:
    app.kubernetes.io/name: app-${i}
    app.kubernetes.io/part-of: shop
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: app-${i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-${i}
        app.kubernetes.io/part-of: shop
    spec:
      serviceAccountName: app-${i}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: app
          image: 333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/app-${i}@sha256:${digest(i, 1)}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /ready
              port: http
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 5
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: tmp
              mountPath: /tmp
        - name: proxy
          image: 333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/proxy@sha256:${digest(i, 2)}
          args: ["--listen=:9090", "--upstream=http://127.0.0.1:8080"]
          ports:
            - name: proxy
              containerPort: 9090
          readinessProbe:
            tcpSocket:
              port: proxy
          livenessProbe:
            tcpSocket:
              port: proxy
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              cpu: 200m
              memory: 128Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
`;
}

/** Writes `count` Deployments as one file in `root`; returns its path. */
export function deploymentsFile(root: string, count: number): string {
    const file = path.join(root, `deployments-${count}.yaml`);
    const fd = fs.openSync(file, "w");
    try {
        for (let i = 0; i < count; i++) fs.writeSync(fd, `${i === 0 ? "" : "---\n"}${deployment(i)}`);
    } finally {
        fs.closeSync(fd);
    }
    return file;
}
