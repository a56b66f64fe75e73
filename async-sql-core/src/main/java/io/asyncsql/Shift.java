package io.asyncsql;

import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * One worker thread's stretch of engine work: from a dispatch until the thread finds no
 * more tasks to run. Under load a worker runs thousands of tasks in one shift, so what
 * has to be set up per thread is set up here once rather than per task:
 * <ul>
 * <li>{@link Workers} registers the shift, so that shutdown can find the task it runs
 * (one volatile write per task instead of adding to and removing from a concurrent
 * set);</li>
 * <li>a marker is bound in {@link TransactionSynchronizationManager} for the whole shift,
 * so that binding each task's connection puts an entry into the thread's resource map
 * instead of creating the map and its thread-local value again for every task.</li>
 * </ul>
 */
final class Shift {

	/** The key of the marker resource; private to the engine. */
	private static final Object MARKER_KEY = new Object() {

		@Override
		public String toString() {
			return "async-sql worker shift";
		}

	};

	/**
	 * Whether this shift bound the marker: a nested shift on the same thread does not.
	 */
	private final boolean boundMarker;

	private final Thread thread = Thread.currentThread();

	/** The task this shift runs, from just before it starts until it has returned. */
	private volatile @Nullable EngineTask<?> task;

	Shift() {
		this.boundMarker = !TransactionSynchronizationManager.hasResource(MARKER_KEY);
		if (this.boundMarker) {
			TransactionSynchronizationManager.bindResource(MARKER_KEY, this);
		}
	}

	/**
	 * Run a task that holds a permit, or its lane's, on this thread.
	 */
	void run(EngineTask<?> next) {
		this.task = next;
		try {
			next.runDecorated();
		}
		finally {
			this.task = null;
		}
	}

	/**
	 * Return the task this shift runs, or {@code null} between tasks.
	 */
	@Nullable EngineTask<?> task() {
		return this.task;
	}

	/**
	 * Return whether this shift runs on the current thread.
	 */
	boolean isCurrent() {
		return this.thread == Thread.currentThread();
	}

	/**
	 * Undo what the shift set up on its thread; call on the thread that created it.
	 */
	void end() {
		if (this.boundMarker) {
			TransactionSynchronizationManager.unbindResourceIfPossible(MARKER_KEY);
		}
	}

}
