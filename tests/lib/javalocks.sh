# Sourced by the java_*.sh scenarios: the monitors each thread holds, from
# jstack -l and from mortem's JSON, as sorted "thread <0x...>" lines.

# jstack_locked JSTACK: per monitor jstack -l lists as "- locked" and not as
# "- waiting on" (released by Object.wait), as mortem reads jstack's text
jstack_locked() {
	awk '/^"/ { n = substr($0, 2); n = substr(n, 1, index(n, "\"") - 1) }
	/^\t- locked </ { locked[n " " $3] = 1 }
	/^\t- waiting on </ { waited[n " " $4] = 1 }
	END { for (k in locked) if (!(k in waited)) print k }' "$1" | sort
}

# mortem_holds JSON: per java_monitor lock a thread holds
mortem_holds() {
	jq -r '[.locks[] | select(.kind == "java_monitor") | .id] as $m | .threads[] | (.name // .id) as $n |
		.holds[] | select(. as $h | $m | index($h)) | "\($n) \(.)"' "$1" | sort
}

# same_holds JSTACK JSON: whether both list the same monitors held by the same threads
same_holds() {
	jstack_locked "$1" > same_holds.want
	mortem_holds "$2" | cmp same_holds.want -
}
