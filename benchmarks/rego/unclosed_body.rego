# Appended to a user rule: a body that never closes.
broken if {
