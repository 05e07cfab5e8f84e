# Sourced by bench scripts: large native text dumps made from real ones.
# threads FILE HEADER_RE REPLACEMENT_FMT N: N copies of FILE's thread blocks
# (a block starts at a line matching HEADER_RE; a line starting "From " ends
# it), each header rewritten with printf-style REPLACEMENT_FMT of (N-i, i).
threads() {
	awk -v re="$2" -v fmt="$3" -v n="$4" '
		$0 ~ re { inb = 1; nb++ }
		/^From / { inb = 0 }
		inb { body[nb] = body[nb] $0 "\n" }
		END {
			for (i = 0; i < n; i++) {
				b = body[i % nb + 1]
				sub(re, sprintf(fmt, n - i, 100000 + i), b)
				printf "%s", b
			}
		}' "$1"
}
