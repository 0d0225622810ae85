"""Gatekeeper: render ConstraintTemplates, Constraints, suites and the version lock; lint templates;
evaluate constraints as Gatekeeper does (match, then each template's Rego); run gator suites."""
