# Appended to a user rule: does not parse (line 3 has nothing after ==).
broken if {
	1 ==
}
