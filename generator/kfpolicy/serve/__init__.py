"""`kfpolicy serve`: the validating admission webhook (HTTPS, AdmissionReview v1) and its certificates."""
