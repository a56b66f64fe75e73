package io.asyncsql;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * Permits and the bounded FIFO wait queue of an {@link AsyncEngine}.
 * <p>
 * A permit stands for one pooled connection in use, so engine work never waits inside the
 * pool. Waiting tasks hold no thread: they sit in an intrusive doubly linked list, so a
 * cancelled or timed-out task leaves the queue in constant time. A permit that frees up
 * goes straight to the oldest waiting task ({@link #release()} hands it over), which
 * keeps the order fair and lets a worker thread run the next task without a thread
 * hand-off. Invariant: free permits exist only while the queue is empty.
 * <p>
 * As every task waits at most the same queue timeout, the oldest always expires first:
 * the engine needs one timer for the head of the queue, not one per waiting task.
 * <p>
 * One short lock guards the state; nothing blocking ever happens under it.
 */
final class Admission {

	enum Result {

		RUN, QUEUED, FULL, CLOSED

	}

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition idle = this.lock.newCondition();

	private final int permits;

	private final int capacity;

	private int free;

	private int size;

	private @Nullable EngineTask<?> head;

	private @Nullable EngineTask<?> tail;

	private boolean closed;

	Admission(int permits, int capacity) {
		this.permits = permits;
		this.capacity = capacity;
		this.free = permits;
	}

	/**
	 * Take a permit for the task, or queue it.
	 * @param task a new task
	 * @return {@link Result#RUN} when the task holds a permit and is marked running,
	 * {@link Result#QUEUED} when it waits, otherwise why it was refused
	 */
	Result admit(EngineTask<?> task) {
		this.lock.lock();
		try {
			if (this.closed) {
				return Result.CLOSED;
			}
			if (this.free > 0) {
				this.free--;
				task.markRunning();
				return Result.RUN;
			}
			if (this.size >= this.capacity) {
				return Result.FULL;
			}
			link(task);
			return Result.QUEUED;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Give up a permit: pass it to the oldest waiting task, or free it.
	 * @return the task that now holds the permit, already marked running, or {@code null}
	 * when the permit was freed
	 */
	@Nullable EngineTask<?> release() {
		this.lock.lock();
		try {
			EngineTask<?> next;
			while ((next = this.head) != null) {
				unlink(next);
				if (next.markRunning()) {
					return next;
				}
			}
			this.free++;
			if (this.free == this.permits) {
				this.idle.signalAll();
			}
			return null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Remove a task that gave up waiting.
	 * @param task the task
	 */
	void remove(EngineTask<?> task) {
		this.lock.lock();
		try {
			if (task.queued) {
				unlink(task);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stop admitting new tasks; queued ones stay and still run.
	 * @return whether this call closed it
	 */
	boolean close() {
		this.lock.lock();
		try {
			boolean wasOpen = !this.closed;
			this.closed = true;
			return wasOpen;
		}
		finally {
			this.lock.unlock();
		}
	}

	boolean isClosed() {
		this.lock.lock();
		try {
			return this.closed;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Wait until every permit is free and nothing waits.
	 * @param nanos the longest wait
	 * @return whether the engine became idle in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	boolean awaitIdle(long nanos) throws InterruptedException {
		this.lock.lock();
		try {
			long remaining = nanos;
			while (this.free < this.permits || this.size > 0) {
				if (remaining <= 0) {
					return false;
				}
				remaining = this.idle.awaitNanos(remaining);
			}
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Remove the tasks that joined the queue at or before a point in time. They are the
	 * oldest, so they stand at its head.
	 * @param cutoff the {@link System#nanoTime()} at or before which a task expires
	 * @return the expired tasks, oldest first
	 */
	List<EngineTask<?>> expire(long cutoff) {
		this.lock.lock();
		try {
			List<EngineTask<?>> expired = new ArrayList<>();
			EngineTask<?> task;
			while ((task = this.head) != null && task.queuedAt - cutoff <= 0) {
				unlink(task);
				expired.add(task);
			}
			return expired;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return when the oldest waiting task joined the queue.
	 * @return its {@link System#nanoTime()}, or {@code null} when nothing waits
	 */
	@Nullable Long oldestQueuedAt() {
		this.lock.lock();
		try {
			return (this.head != null) ? this.head.queuedAt : null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Empty the queue.
	 * @return the tasks that were waiting, oldest first
	 */
	List<EngineTask<?>> drainQueue() {
		this.lock.lock();
		try {
			List<EngineTask<?>> drained = new ArrayList<>(this.size);
			EngineTask<?> task;
			while ((task = this.head) != null) {
				unlink(task);
				drained.add(task);
			}
			if (this.free == this.permits) {
				this.idle.signalAll();
			}
			return drained;
		}
		finally {
			this.lock.unlock();
		}
	}

	int active() {
		this.lock.lock();
		try {
			return this.permits - this.free;
		}
		finally {
			this.lock.unlock();
		}
	}

	int queued() {
		this.lock.lock();
		try {
			return this.size;
		}
		finally {
			this.lock.unlock();
		}
	}

	int permits() {
		return this.permits;
	}

	int capacity() {
		return this.capacity;
	}

	private void link(EngineTask<?> task) {
		task.queued = true;
		task.queuedAt = System.nanoTime();
		task.prev = this.tail;
		task.next = null;
		if (this.tail == null) {
			this.head = task;
		}
		else {
			this.tail.next = task;
		}
		this.tail = task;
		this.size++;
	}

	private void unlink(EngineTask<?> task) {
		EngineTask<?> prev = task.prev;
		EngineTask<?> next = task.next;
		if (prev == null) {
			this.head = next;
		}
		else {
			prev.next = next;
		}
		if (next == null) {
			this.tail = prev;
		}
		else {
			next.prev = prev;
		}
		task.prev = null;
		task.next = null;
		task.queued = false;
		this.size--;
	}

}
