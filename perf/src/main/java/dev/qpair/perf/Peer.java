package dev.qpair.perf;

import java.util.concurrent.CountDownLatch;

/**
 * The other side of a ping-pong: a daemon platform thread, pinned to one CPU before its loop starts,
 * that runs until {@link #stop} clears its running flag. When the loop throws, the peer records the
 * failure and is no longer {@link #alive()}, so the measuring side stops waiting for it.
 */
public final class Peer {

    /** The peer's loop; it returns when {@link Peer#running()} turns false. */
    @FunctionalInterface
    public interface Loop {
        void run(Peer peer) throws Exception;
    }

    private final Thread thread;
    private final CountDownLatch pinned = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean alive = true;
    private volatile Throwable failure;
    private String pinNote;

    public Peer(String name, int cpu, Loop loop, Runnable onDeath) {
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(() -> {
            pinNote = Affinity.pinCurrentThread(cpu);
            pinned.countDown();
            try {
                loop.run(this);
            } catch (Throwable e) {
                if (running) {
                    failure = e;
                }
            } finally {
                alive = false;
                onDeath.run();
            }
        });
    }

    /**
     * Starts the thread and waits until it has tried to pin itself.
     *
     * @return null, or the note saying why pinning failed
     */
    public String start() {
        thread.start();
        try {
            pinned.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + thread.getName(), e);
        }
        return pinNote;
    }

    public boolean running() {
        return running;
    }

    public boolean alive() {
        return alive;
    }

    /** Throws when the peer died; the measuring side calls it from its wait loops. */
    public void checkAlive() {
        if (!alive) {
            throw new IllegalStateException(thread.getName() + " stopped", failure);
        }
    }

    /** Clears the running flag, runs {@code wake} (to break a library's own wait), joins the thread. */
    public void stop(Runnable wake) {
        running = false;
        wake.run();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new IllegalStateException(thread.getName() + " failed", failure);
        }
    }
}
