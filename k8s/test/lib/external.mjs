// Objects an overlay uses but does not contain: the operators create them
// before the first deploy (k8s/README.md, "Production", lists the same ones;
// readme.test.mjs checks that). Everything else a pod uses must be rendered.
export const EXTERNAL = {
  prod: [
    "Secret/workflow-service-db",
    "Secret/ca-adapter-acme-db",
    "Secret/ca-adapter-sectigo-db",
    "Secret/ca-adapter-sectigo-login",
    "Secret/prevalidation-service-kvk",
    "ConfigMap/kvk-ca-bundle",
    "ConfigMap/database-ca-bundle",
    "Secret/ca-adapter-acme-secrets-key",
    "Secret/workflow-service-secrets-key",
    "Issuer/sslpanel-ca",
  ],
};
