# Appended to a user rule: a function that calls itself.
loop(x) := y if {
	y := loop(x)
}
