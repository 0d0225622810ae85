package t

import future.keywords.contains
import future.keywords.if
import future.keywords.in

r := count([x | some x in numbers.range(1, input.n); x % 3 == 0])
