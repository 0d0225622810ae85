# METADATA
# title: kfpolicy name validation
# description: >-
#   Kubernetes name checks with the exact texts of k8s.io/apimachinery (IsDNS1035Label), for the
#   upstream webhooks' metadata.name rules. Callers pass strings only.
package lib.kubeflow.names

import future.keywords.contains
import future.keywords.if
import future.keywords.in

dns1035_label_max_length := 63

dns1035_label_regex := `^[a-z]([-a-z0-9]*[a-z0-9])?$`

dns1035_label_error := concat("", [
	"a DNS-1035 label must consist of lower case alphanumeric characters or '-', ",
	"start with an alphabetic character, and end with an alphanumeric character ",
	"(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
])

max_length_error(n) := sprintf("must be no more than %d characters", [n])

# Go's len(): the UTF-8 byte length, not the number of characters. Counted per encoding width
# with regex.find_n, because the embedded engine's count() and substring() see a character
# outside the Basic Multilingual Plane as two.
byte_length(s) := count(s) if {
	regex.match(`^[\x{0}-\x{7F}]*$`, s)
} else := sum([
	count(regex.find_n(`[\x{0}-\x{7F}]`, s, -1)),
	2 * count(regex.find_n(`[\x{80}-\x{7FF}]`, s, -1)),
	3 * count(regex.find_n(`[\x{800}-\x{FFFF}]`, s, -1)),
	4 * count(regex.find_n(`[\x{10000}-\x{10FFFF}]`, s, -1)),
])

# The error list of apimachinery's IsDNS1035Label: length first, then format. Empty when valid.
# (Most names are plain: recognised first without the regular expressions, which cost
# microseconds per call on the embedded engine.)
dns1035_label_errors(s) := [] if {
	plain_dns1035_label(s)
} else := array.concat(
	[max_length_error(dns1035_label_max_length) | byte_length(s) > dns1035_label_max_length],
	[dns1035_label_error | not regex.match(dns1035_label_regex, s)],
) if {
	is_string(s)
}

# A valid DNS-1035 label made of lower case letters, digits and '-' only (so its byte length is
# its count): a letter first, no '-' last, at most 63 characters.
plain_dns1035_label(s) if {
	is_string(s)
	s != ""
	trim_left(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
	count(s) <= dns1035_label_max_length
	trim_left(s, "0123456789-") == s
	not endswith(s, "-")
}
