package com.acme;

/*
 * Two tellers move money between two accounts, each locking the accounts
 * in its own order: a monitor deadlock in a package (com.acme), for the
 * browser's Java stack and its source under a source root.
 */
public class Bank {
    static final class Account {
        final String name;
        long balance = 100;

        Account(String name) {
            this.name = name;
        }
    }

    static final Account checking = new Account("checking");
    static final Account savings = new Account("savings");

    static void transfer(Account from, Account to, long amount) throws InterruptedException {
        synchronized (from) {
            Thread.sleep(100);
            synchronized (to) {
                from.balance -= amount;
                to.balance += amount;
            }
        }
    }

    static void teller(Account from, Account to) {
        try {
            transfer(from, to, 10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws Exception {
        Thread a = new Thread(() -> teller(checking, savings), "teller-1");
        Thread b = new Thread(() -> teller(savings, checking), "teller-2");
        a.setDaemon(true);
        b.setDaemon(true);
        a.start();
        b.start();
        while (a.getState() != Thread.State.BLOCKED || b.getState() != Thread.State.BLOCKED)
            Thread.sleep(10);
        System.out.println("deadlocked");
        System.out.flush();
        Thread.sleep(60_000);
    }
}
