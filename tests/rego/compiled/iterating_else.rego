package t

import future.keywords.contains
import future.keywords.if
import future.keywords.in

# A body that iterates without success must lead to the else.
xs := [1, 2]

r := 1 if {
	some x in xs
	x > 5
} else := 7
