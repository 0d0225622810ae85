# Appended to a user rule: two rules that need each other.
ping if pong

pong if ping
