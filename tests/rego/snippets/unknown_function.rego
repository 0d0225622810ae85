# Appended to a user rule: calls a function nobody defines.
violation contains x if {
	x := nosuch(input)
}
