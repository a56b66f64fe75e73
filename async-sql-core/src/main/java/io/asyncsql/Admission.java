package io.asyncsql;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * Admission to an {@link AsyncEngine}: its permits, its bounded FIFO wait queue and the
 * queue timeout.
 * <p>
 * A permit stands for one pooled connection in use, so engine work never waits inside the
 * pool. Waiting operations hold no thread: they sit in a lock-free FIFO queue. A permit
 * that frees up goes straight to the oldest waiting operation ({@link #release()} hands
 * it over), which keeps the order fair and lets a worker thread run the next operation
 * without a thread hand-off.
 * <p>
 * Nothing here takes a lock: on a machine with fewer cores than workers, a lock holder
 * that the scheduler preempts stalls every other worker (measured: parks of tens of
 * milliseconds, a quarter of the throughput lost). The price is a race between an
 * operation joining the queue as the last permit frees up; both sides close it with
 * {@link #claim()}, which hands free permits to waiting operations.
 * <p>
 * An operation counts as waiting from {@link #admit} until it leaves the queued state:
 * whoever moves it out of that state (a permit, cancellation, a timeout, shutdown) calls
 * {@link #leftQueue()}. Its queue node may stay behind a little longer and is skipped.
 * <p>
 * As every operation waits at most the same queue timeout, the oldest always expires
 * first: one timer for the head of the queue does, not one per waiting operation
 * ({@link #sweep}). Only an operation whose own deadline comes sooner gets a timer of its
 * own.
 */
final class Admission {

	enum Result {

		RUN, QUEUED, FULL, CLOSED

	}

	private final ConcurrentLinkedQueue<EngineOperation<?>> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger free;

	private final AtomicInteger waiting = new AtomicInteger();

	private final AtomicInteger leftSinceSweep = new AtomicInteger();

	private final Object idle = new Object();

	private final int permits;

	private final int capacity;

	private final long queueTimeoutNanos;

	private final EngineThreads threads;

	private final AtomicBoolean sweepScheduled = new AtomicBoolean();

	private volatile boolean closed;

	Admission(int permits, int capacity, long queueTimeoutNanos, EngineThreads threads) {
		this.permits = permits;
		this.capacity = capacity;
		this.queueTimeoutNanos = queueTimeoutNanos;
		this.threads = threads;
		this.free = new AtomicInteger(permits);
	}

	/**
	 * Take a permit for the operation, or queue it with its timeout set. After
	 * {@link Result#QUEUED} the caller must {@link #claim()} and run what it returns.
	 * @param operation a new operation
	 * @return {@link Result#RUN} when the operation holds a permit and is marked running,
	 * {@link Result#QUEUED} when it waits, otherwise why it was refused
	 */
	Result admit(EngineOperation<?> operation) {
		if (this.closed) {
			return Result.CLOSED;
		}
		// Only when nobody waits, or a newcomer would overtake them.
		if (this.waiting.get() == 0 && tryAcquire()) {
			operation.markRunning();
			return Result.RUN;
		}
		int count;
		do {
			count = this.waiting.get();
			if (count >= this.capacity) {
				return Result.FULL;
			}
		}
		while (!this.waiting.compareAndSet(count, count + 1));
		this.queue.offer(operation);
		long remaining = operation.deadline.isSet() ? operation.deadline.remainingNanos() : Long.MAX_VALUE;
		if (remaining < this.queueTimeoutNanos) {
			operation.scheduleQueueTimeout(remaining);
		}
		ensureSweep();
		return Result.QUEUED;
	}

	/**
	 * Give a free permit to the oldest waiting operation, if there are both.
	 * @return the operation that now holds a permit, already marked running, or
	 * {@code null}
	 */
	@Nullable EngineOperation<?> claim() {
		// The permit count first: under load there is none, and it is cheaper to read
		// than the head of the queue, which every worker polls.
		while (this.free.get() > 0 && !this.queue.isEmpty() && tryAcquire()) {
			EngineOperation<?> next = pollWaiting();
			if (next != null) {
				return next;
			}
			freePermit();
		}
		return null;
	}

	/**
	 * Give up a permit: pass it to the oldest waiting operation, or free it.
	 * @return the operation that now holds the permit, already marked running, or
	 * {@code null} when the permit was freed
	 */
	@Nullable EngineOperation<?> release() {
		EngineOperation<?> next = pollWaiting();
		if (next != null) {
			return next;
		}
		freePermit();
		// An operation may have joined the queue after the poll, and found no permit.
		return claim();
	}

	/**
	 * Take waiting operations that a running one carries on its own permit (a batch), as
	 * a permit would take them: marked running and counted out of the waiting ones. Looks
	 * at the oldest {@code scanLimit} waiting tasks at most, and never waits for more.
	 * @param matches which operations to take
	 * @param max the most to take
	 * @param scanLimit the most to look at
	 * @return the operations taken, oldest first; empty when none matched
	 */
	List<EngineOperation<?>> takeMatching(Predicate<EngineOperation<?>> matches, int max, int scanLimit) {
		List<EngineOperation<?>> taken = List.of();
		int scanned = 0;
		Iterator<EngineOperation<?>> queued = this.queue.iterator();
		while (taken.size() < max && scanned++ < scanLimit && queued.hasNext()) {
			EngineOperation<?> task = queued.next();
			if (matches.test(task) && task.markRunning()) {
				this.waiting.decrementAndGet();
				queued.remove();
				if (taken.isEmpty()) {
					taken = new ArrayList<>(Math.min(max, 16));
				}
				taken.add(task);
			}
		}
		return taken;
	}

	/**
	 * Count an operation out of the waiting ones: cancelled, timed out or abandoned while
	 * queued.
	 */
	void leftQueue() {
		this.waiting.decrementAndGet();
		// Drop ended operations from the head now, so that they (and what their work
		// holds) do
		// not stay reachable until the next permit frees up; ended operations further
		// back go
		// once the head reaches them, or in a sweep once as many have left as the queue
		// holds, so that callers who give up early cannot grow the queue without bound.
		EngineOperation<?> head;
		while ((head = this.queue.peek()) != null && !head.isQueued()) {
			this.queue.remove(head);
		}
		if (this.leftSinceSweep.incrementAndGet() >= this.capacity) {
			this.leftSinceSweep.set(0);
			this.queue.removeIf((operation) -> !operation.isQueued());
		}
		signalIfIdle();
	}

	/**
	 * Stop admitting new operations; queued ones stay and still run.
	 * @return whether this call closed it
	 */
	boolean close() {
		synchronized (this.idle) {
			boolean wasOpen = !this.closed;
			this.closed = true;
			return wasOpen;
		}
	}

	boolean isClosed() {
		return this.closed;
	}

	/**
	 * Wait until every permit is free and nothing waits. Only for shutdown: it is
	 * signalled only once the admission is closed.
	 * @param nanos the longest wait
	 * @return whether the engine became idle in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	boolean awaitIdle(long nanos) throws InterruptedException {
		long deadline = System.nanoTime() + nanos;
		synchronized (this.idle) {
			while (!isIdle()) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				TimeUnit.NANOSECONDS.timedWait(this.idle, remaining);
			}
			return true;
		}
	}

	/**
	 * Make sure a sweep is scheduled for when the oldest waiting operation reaches the
	 * queue timeout. Called after each operation joins the queue and after each sweep, so
	 * one is pending whenever anything waits.
	 */
	private void ensureSweep() {
		// Read before the CAS: nearly always a sweep is pending, and a failed CAS would
		// still take the cache line from the other cores.
		if (this.sweepScheduled.get() || !this.sweepScheduled.compareAndSet(false, true)) {
			return;
		}
		Long oldest = oldestQueuedAt();
		if (oldest != null) {
			long delay = oldest + this.queueTimeoutNanos - System.nanoTime();
			if (this.threads.schedule(this::sweep, Math.max(0, delay)) != null) {
				return;
			}
		}
		this.sweepScheduled.set(false);
		// An operation queued after the look above found the flag still set: recheck for
		// it.
		if (oldest == null && queued() > 0) {
			ensureSweep();
		}
	}

	/**
	 * Fail the operations that have waited for the queue timeout.
	 */
	private void sweep() {
		for (EngineOperation<?> operation : expire(System.nanoTime() - this.queueTimeoutNanos)) {
			operation.queueTimedOut();
		}
		this.sweepScheduled.set(false);
		ensureSweep();
	}

	/**
	 * Remove the head of the queue while it has ended or joined at or before a point in
	 * time. The operations that joined first stand at the head.
	 * @param cutoff the {@link System#nanoTime()} at or before which an operation expires
	 * @return the operations that were still waiting and have expired, oldest first; the
	 * caller ends them
	 */
	private List<EngineOperation<?>> expire(long cutoff) {
		List<EngineOperation<?>> expired = new ArrayList<>();
		EngineOperation<?> operation;
		while ((operation = this.queue.peek()) != null
				&& (!operation.isQueued() || operation.createdAt - cutoff <= 0)) {
			// remove(operation), not poll(): another thread may have taken the head
			// meanwhile.
			if (this.queue.remove(operation) && operation.isQueued()) {
				expired.add(operation);
			}
		}
		return expired;
	}

	/**
	 * Return when the operation at the head of the queue joined it.
	 * @return its {@link System#nanoTime()}, or {@code null} when the queue is empty
	 */
	private @Nullable Long oldestQueuedAt() {
		EngineOperation<?> head = this.queue.peek();
		return (head != null) ? head.createdAt : null;
	}

	/**
	 * Empty the queue.
	 * @return the operations that were waiting, oldest first; the caller ends them
	 */
	List<EngineOperation<?>> drainQueue() {
		List<EngineOperation<?>> drained = new ArrayList<>();
		EngineOperation<?> operation;
		while ((operation = this.queue.poll()) != null) {
			if (operation.isQueued()) {
				drained.add(operation);
			}
		}
		return drained;
	}

	int active() {
		return this.permits - this.free.get();
	}

	int queued() {
		return Math.max(0, this.waiting.get());
	}

	int permits() {
		return this.permits;
	}

	int capacity() {
		return this.capacity;
	}

	private boolean tryAcquire() {
		int available;
		do {
			available = this.free.get();
			if (available <= 0) {
				return false;
			}
		}
		while (!this.free.compareAndSet(available, available - 1));
		return true;
	}

	private void freePermit() {
		this.free.incrementAndGet();
		signalIfIdle();
	}

	/**
	 * Take the oldest operation that still waits, and mark it running.
	 */
	private @Nullable EngineOperation<?> pollWaiting() {
		EngineOperation<?> operation;
		while ((operation = this.queue.poll()) != null) {
			if (operation.markRunning()) {
				this.waiting.decrementAndGet();
				return operation;
			}
		}
		return null;
	}

	private boolean isIdle() {
		return this.free.get() == this.permits && this.waiting.get() <= 0;
	}

	private void signalIfIdle() {
		if (this.closed && isIdle()) {
			synchronized (this.idle) {
				this.idle.notifyAll();
			}
		}
	}

}
