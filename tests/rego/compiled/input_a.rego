package t

import future.keywords.contains
import future.keywords.if
import future.keywords.in

r := input.a
