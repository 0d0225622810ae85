# A module no catalogue generates: generate must remove or report it.
package stale
