# Appended to a Gatekeeper template's Rego: reads the portable config, which templates must not.
x := data.kubeflow.config
