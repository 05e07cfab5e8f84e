# Sourced by the hostile_* scenario scripts: inputs crafted by the tests.

# jstack_deadlock NAME_A NAME_B METHOD: a jstack dump (printed) in which two
# threads named NAME_A and NAME_B deadlock on two monitors, the top frame of
# both in a method named METHOD (the names go in as given, escapes included).
jstack_deadlock() {
	printf '2025-01-01 00:00:00\nFull thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode):\n\n'
	printf '"%s" #21 prio=5 os_prio=0 cpu=1.00ms elapsed=9.00s tid=0x00007f0000001000 nid=0x101 waiting for monitor entry  [0x00007f0000100000]\n' "$1"
	printf '   java.lang.Thread.State: BLOCKED (on object monitor)\n'
	printf '\tat app.Bank.%s(Bank.java:10)\n' "$3"
	printf '\t- waiting to lock <0x00000000c0000002> (a java.lang.Object)\n'
	printf '\t- locked <0x00000000c0000001> (a java.lang.Object)\n'
	printf '\tat app.Bank.run(Bank.java:20)\n\n'
	printf '"%s" #22 prio=5 os_prio=0 cpu=1.00ms elapsed=9.00s tid=0x00007f0000002000 nid=0x102 waiting for monitor entry  [0x00007f0000200000]\n' "$2"
	printf '   java.lang.Thread.State: BLOCKED (on object monitor)\n'
	printf '\tat app.Bank.%s(Bank.java:10)\n' "$3"
	printf '\t- waiting to lock <0x00000000c0000001> (a java.lang.Object)\n'
	printf '\t- locked <0x00000000c0000002> (a java.lang.Object)\n'
	printf '\tat app.Bank.run(Bank.java:20)\n\n'
}

# jstack_pool N TAG: a jstack dump (printed) of N pool threads parked on
# their queue, about 400 bytes each; TAG goes in the header (distinct bytes).
jstack_pool() {
	awk -v n="$1" -v tag="$2" 'BEGIN {
		printf "2025-01-01 00:00:00\nFull thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode %s):\n\n", tag
		for (i = 1; i <= n; i++) {
			printf "\"pool-1-thread-%d\" #%d prio=5 os_prio=0 cpu=1.00ms elapsed=9.00s tid=0x%016x nid=0x%x waiting on condition  [0x00007f0000100000]\n", i, i + 20, i * 4096, i + 256
			printf "   java.lang.Thread.State: WAITING (parking)\n"
			printf "\tat jdk.internal.misc.Unsafe.park(java.base@17.0.9/Native Method)\n"
			printf "\t- parking to wait for  <0x00000000c0000001> (a java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject)\n"
			printf "\tat java.util.concurrent.ThreadPoolExecutor.getTask(java.base@17.0.9/ThreadPoolExecutor.java:1062)\n"
			printf "\tat java.lang.Thread.run(java.base@17.0.9/Thread.java:833)\n\n"
		}
	}'
}
