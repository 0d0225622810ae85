package t

import future.keywords.contains
import future.keywords.if
import future.keywords.in

# `y := <undefined>` must fail the body, as it does on OPA.
r contains "bound" if {
	y := input.missing
}
