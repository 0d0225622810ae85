package t

import future.keywords.contains
import future.keywords.if
import future.keywords.in

# Constants, an escaped quote, a comprehension and a destructuring assignment.
s := "x" if true

r contains n if {
	k := "a\"b"
	n := [c | some c in input.xs; d := c.name; d != k]
	[a, b] := [1, n]
	a == a
	b == b
}
