package t

import future.keywords.contains
import future.keywords.if
import future.keywords.in

# A function whose argument is undefined in a head: the compiled mode puts its marker there.
f(x) := [x]

r contains f(input.missing) if true
