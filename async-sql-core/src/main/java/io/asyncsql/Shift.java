package io.asyncsql;

import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * One worker thread's stretch of engine work: from a dispatch until the thread finds no
 * more operations to run. Under load a worker runs thousands of operations in one shift,
 * so what has to be set up per thread is set up here once rather than per operation:
 * <ul>
 * <li>{@link Workers} registers the shift, so that shutdown can find the operation it
 * runs (one volatile write per operation instead of adding to and removing from a
 * concurrent set);</li>
 * <li>a marker is bound in {@link TransactionSynchronizationManager} for the whole shift,
 * so that binding each operation's connection puts an entry into the thread's resource
 * map instead of creating the map and its thread-local value again for every
 * operation.</li>
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

	/**
	 * The operation this shift runs, from just before it starts until it has returned.
	 */
	private volatile @Nullable EngineOperation<?> operation;

	Shift() {
		this.boundMarker = !TransactionSynchronizationManager.hasResource(MARKER_KEY);
		if (this.boundMarker) {
			TransactionSynchronizationManager.bindResource(MARKER_KEY, this);
		}
	}

	/**
	 * Run an operation that holds a permit, or its lane's, on this thread.
	 */
	void run(EngineOperation<?> next) {
		this.operation = next;
		try {
			next.runDecorated();
		}
		finally {
			this.operation = null;
		}
	}

	/**
	 * Return the operation this shift runs, or {@code null} between operations.
	 */
	@Nullable EngineOperation<?> operation() {
		return this.operation;
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
