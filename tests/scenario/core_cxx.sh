# A C++ crash: demangled names for symbols and for DWARF linkage names.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/lib/core.sh"
need g++ jq eu-stack
g++ -g -O1 -o cxx_crash "$TOP/tests/scenario/programs/cxx_crash.cpp" || fail "cannot build cxx_crash.cpp"
take_core core ./cxx_crash
"$MORTEM" report --json core > out.json
check "exit 0" test $? -eq 0
jqcheck out.json '[.threads[0].frames[].function] | index("ledger::Book<long>::total(int) const") != null' "demangled method of a class template"
jqcheck out.json '[.threads[0].frames[].function] | index("std::vector<long, std::allocator<long> >::begin()") != null' "demangled inline frame"
jqcheck out.json '[.threads[0].frames[].function | select(. != null and startswith("_Z"))] | length == 0' "no mangled names left"
check "frames match eu-stack -s -i" eustack_match core ./cxx_crash
done_ok
