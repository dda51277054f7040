import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/**
 * deploy/kubernetes (issue 15): a kustomize base of the API. Every manifest is read as YAML and
 * checked for what the deployment guide promises; `kubectl kustomize` builds it where kubectl
 * is installed.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIR = path.join(ROOT, 'deploy/kubernetes');

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are free-form YAML */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: any };

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const docs = new Map<string, Manifest[]>(
  files.map((f) => {
    const parsed = parseAllDocuments(readFileSync(path.join(DIR, f), 'utf8'));
    for (const doc of parsed) if (doc.errors.length > 0) throw new Error(`${f}: ${doc.errors[0].message}`);
    return [f, parsed.map((d) => d.toJS() as Manifest).filter(Boolean)];
  }),
);
const kustomization = docs.get('kustomization.yaml')![0] as unknown as { resources: string[]; images: { name: string }[] };
const applied = kustomization.resources.flatMap((f) => docs.get(f) ?? []);
const one = (kind: string) => {
  const found = applied.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
};

const deployment = one('Deployment');
const pod = deployment.spec.template.spec;
const api = pod.containers.find((c: any) => c.name === 'api');
const configMap = one('ConfigMap');
const job = one('Job');
const jobPod = job.spec.template.spec;
const podLabels = deployment.spec.template.metadata.labels;
const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);

describe('deploy/kubernetes', () => {
  it('lists every manifest it has in kustomization.yaml, except the secret example', () => {
    expect(kustomization.resources.sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml').sort());
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    for (const f of kustomization.resources) expect(docs.get(f)?.length, f).toBeGreaterThan(0);
    expect(applied.map((m) => m.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'PodDisruptionBudget', 'Service'].sort(),
    );
  });

  it('commits no secret: no Secret is applied, and the example holds placeholders only', () => {
    expect(applied.filter((m) => m.kind === 'Secret')).toEqual([]);
    const [secret] = docs.get('secret.example.yaml')!;
    expect(secret.kind).toBe('Secret');
    expect(secret.data).toBeUndefined();
    for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) {
      expect(value, key).toMatch(/^<.*>$/);
    }
    // Nothing secret sits in the ConfigMap.
    for (const key of Object.keys(configMap.data)) expect(key).not.toMatch(/PASSWORD|SECRET|TOKEN|PRIVATE_KEY|DATABASE_URL|REDIS_URL/);
    expect(Object.keys(secret.stringData)).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEY']));
  });

  it('runs two replicas with liveness on /healthz, readiness on /readyz and resources set', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
    expect(api.livenessProbe.httpGet.path).toBe('/healthz');
    expect(api.readinessProbe.httpGet.path).toBe('/readyz');
    const port = api.ports.find((p: any) => p.name === api.readinessProbe.httpGet.port);
    expect(String(port.containerPort)).toBe(configMap.data.PORT);
    expect(api.resources.requests.cpu).toBeTruthy();
    expect(api.resources.requests.memory).toBeTruthy();
    expect(api.resources.limits.memory).toBeTruthy();
    // Graceful shutdown (SHUTDOWN_TIMEOUT_MS, 10 s by default) fits in the grace period.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(10);
  });

  it('runs as a non-root user on a read-only root filesystem, DATA_DIR on an emptyDir', () => {
    for (const [name, spec] of [
      ['Deployment', pod],
      ['Job', jobPod],
    ] as const) {
      expect(spec.securityContext.runAsNonRoot, name).toBe(true);
      expect(spec.securityContext.runAsUser, name).toBeGreaterThan(0);
      for (const container of spec.containers) {
        expect(container.securityContext.readOnlyRootFilesystem, name).toBe(true);
        expect(container.securityContext.allowPrivilegeEscalation, name).toBe(false);
        expect(container.securityContext.capabilities.drop, name).toContain('ALL');
      }
    }
    const dataMount = api.volumeMounts.find((m: any) => m.mountPath === configMap.data.DATA_DIR);
    expect(dataMount).toBeDefined();
    expect(pod.volumes.find((v: any) => v.name === dataMount.name).emptyDir).toBeDefined();
  });

  it('takes its environment from the ConfigMap and a Secret reference', () => {
    const secretName = docs.get('secret.example.yaml')![0].metadata.name;
    for (const container of [api, ...jobPod.containers]) {
      expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secretName } }]);
      expect(container.image).toBe(kustomization.images[0].name);
    }
    expect(api.env).toBeUndefined();
    // The migration Job alone connects elsewhere: to PostgreSQL directly (its lock needs a
    // session, which PgBouncer's transaction mode does not keep), from a key of the same Secret.
    const [migrator] = jobPod.containers;
    expect(migrator.env).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: secretName, key: 'MIGRATION_DATABASE_URL' } } },
    ]);
    expect(Object.keys(docs.get('secret.example.yaml')![0].stringData)).toContain('MIGRATION_DATABASE_URL');
    expect(configMap.data.NODE_ENV).toBe('production');
    // Every value is a string (a ConfigMap holds nothing else).
    for (const [key, value] of Object.entries(configMap.data)) expect(typeof value, key).toBe('string');
  });

  it('migrates in a Job with the built CLI, and the replicas do not migrate at start-up', () => {
    expect(configMap.data.MIGRATE_ON_START).toBe('false');
    const [container] = jobPod.containers;
    expect(container.command.join(' ')).toMatch(/^node( --enable-source-maps)? dist\/src\/cli\/migrate\.js$/);
    expect(jobPod.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
    // Its pods are not the Deployment's: they never receive traffic or count for the PDB.
    expect(selects(job.spec.template.metadata.labels)).toBe(false);
  });

  it('keeps a replica up through disruptions, scales on CPU from two, and serves them all', () => {
    const pdb = one('PodDisruptionBudget');
    expect(selects(pdb.spec.selector.matchLabels)).toBe(true);
    expect(pdb.spec.minAvailable ?? 0).toBeGreaterThanOrEqual(1);
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    const service = one('Service');
    expect(selects(service.spec.selector)).toBe(true);
    expect(service.spec.ports[0].targetPort).toBe('http');
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!kubectl)('builds with `kubectl kustomize`', () => {
    const built = spawnSync('kubectl', ['kustomize', DIR], { encoding: 'utf8', timeout: 60_000 });
    expect(built.status, built.stderr).toBe(0);
    const kinds = parseAllDocuments(built.stdout).map((d) => (d.toJS() as Manifest).kind);
    expect(kinds.sort()).toEqual(applied.map((m) => m.kind).sort());
    expect(built.stdout).not.toMatch(/kind: Secret/);
  });
});
