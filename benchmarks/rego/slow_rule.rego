# Appended to a user rule: iterates 25 million pairs (without building them) on an object annotated
# `slow: "yes"`.
violation contains core.forbidden("metadata", "slow") if {
	core.metadata.annotations.slow == "yes"
	some i in numbers.range(1, 5000)
	some j in numbers.range(1, 5000)
	i * j == -1
}
