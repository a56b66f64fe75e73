package io.asyncsql;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;

/**
 * Runs the operations of an {@link AsyncEngine} that hold a permit on its worker threads,
 * and keeps the registry of the {@link Shift shifts} running them.
 * <p>
 * A worker given an operation runs it, then each operation its permit passes to, in one
 * shift, so that under load a permit moves on without a thread hand-off. The registry
 * lets shutdown find what runs where: the operation of each shift, and which shift is the
 * current thread's.
 */
final class Workers {

	private final EngineThreads threads;

	private final Set<Shift> shifts = ConcurrentHashMap.newKeySet();

	Workers(EngineThreads threads) {
		this.threads = threads;
	}

	/**
	 * Run an operation that holds a permit, and those its permit passes to, on a worker.
	 */
	void dispatch(EngineOperation<?> first) {
		this.threads.dispatch(new Chain(first));
	}

	/**
	 * Run work, such as a lane's drain loop, on a worker.
	 */
	void dispatch(Runnable work) {
		this.threads.dispatch(work);
	}

	/**
	 * Run an operation that holds a permit, and those its permit passes to, off the
	 * current thread even when every worker is busy.
	 */
	void dispatchAside(EngineOperation<?> first) {
		this.threads.dispatchAside(new Chain(first));
	}

	/**
	 * Start a worker's shift on this thread; operations that hold a permit, or their
	 * lane's, run only in one.
	 */
	Shift beginShift() {
		Shift shift = new Shift();
		this.shifts.add(shift);
		return shift;
	}

	void endShift(Shift shift) {
		this.shifts.remove(shift);
		shift.end();
	}

	/**
	 * Return the operations the shifts of the current thread run: none unless it is a
	 * worker (more than one only when work runs inline once the workers have stopped).
	 */
	Stream<EngineOperation<?>> operationsOfCurrentThread() {
		return this.shifts.stream().filter(Shift::isCurrent).map(Shift::operation).filter(Objects::nonNull);
	}

	/**
	 * Return whether an operation that some shift runs has not completed its future yet.
	 */
	boolean anyCompleting() {
		return this.shifts.stream().anyMatch(Workers::completing);
	}

	/**
	 * Abandon the operation each shift runs, for shutdown.
	 * @param reason the failure for an operation that has not started
	 */
	void abandonRunning(DataAccessException reason) {
		for (Shift shift : this.shifts) {
			EngineOperation<?> operation = shift.operation();
			if (operation != null) {
				operation.abandon(reason);
			}
		}
	}

	private static boolean completing(Shift shift) {
		EngineOperation<?> operation = shift.operation();
		return operation != null && !operation.future.isDone();
	}

	/**
	 * Run an operation that holds a permit, then each operation its permit passes to, in
	 * one shift. Nothing here may keep a finished operation: under load a shift never
	 * ends, and an operation it kept would keep its result reachable for as long.
	 */
	private void runChain(Chain chain) {
		Shift shift = beginShift();
		try {
			EngineOperation<?> operation = chain.take();
			while (operation != null) {
				shift.run(operation);
				// Unlink, or a worker that never finds the queue empty would keep every
				// operation it ran, and every result, reachable from the first.
				EngineOperation<?> next = operation.successor;
				operation.successor = null;
				operation = next;
			}
		}
		finally {
			endShift(shift);
		}
	}

	/**
	 * The work a worker is given: the first operation of a shift, handed over once. A
	 * lambda capturing the operation would keep it, and its result, reachable from the
	 * worker (a pool's running task, a virtual thread's) until the shift ends.
	 */
	private final class Chain implements Runnable {

		private @Nullable EngineOperation<?> first;

		Chain(EngineOperation<?> first) {
			this.first = first;
		}

		@Nullable EngineOperation<?> take() {
			EngineOperation<?> operation = this.first;
			this.first = null;
			return operation;
		}

		@Override
		public void run() {
			runChain(this);
		}

	}

}
