package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.support.JdbcUtils;

/**
 * Coalesces queued auto-commit updates of one {@link AsyncEngine}: the worker that takes
 * an update also takes the updates of the same SQL that wait in the queue at that moment
 * (up to the batch's maximum size, less itself) and runs them all as one JDBC batch on
 * its connection and permit. It never waits for more work: with nothing matching in the
 * queue the update runs alone, as on an engine without batching, so light load pays one
 * read of the queue's length.
 * <p>
 * Each caller keeps the outcome its update would have had alone; {@link UpdateBatch} says
 * how. The updates taken leave the queue as a permit would take them, so the queue
 * timeout, cancellation while queued and the engine's counts treat them as any other
 * operation that started.
 */
final class UpdateCoalescer {

	/** How many waiting operations a worker looks at, per batch member it may take. */
	private static final int SCAN_FACTOR = 4;

	final AsyncEngine engine;

	private final Admission admission;

	private final int maxSize;

	UpdateCoalescer(AsyncEngine engine, Admission admission, int maxSize) {
		this.engine = engine;
		this.admission = admission;
		this.maxSize = maxSize;
	}

	/**
	 * Run an operation's update, alone or as the first of a batch.
	 * @param operation the operation, holding a permit
	 * @param update its update
	 * @return the update's own count
	 * @throws Exception what the update threw, alone or when re-run after its batch
	 * failed
	 */
	@Nullable Integer run(EngineOperation<Integer> operation, CoalescibleUpdate update) throws Exception {
		Connection connection = this.engine.binding.obtainConnection();
		try {
			List<EngineOperation<?>> taken = (this.admission.queued() > 0)
					? this.admission.takeMatching(update::carries, this.maxSize - 1, SCAN_FACTOR * this.maxSize)
					: List.of();
			if (taken.isEmpty()) {
				return this.engine.binding.runBound(operation, connection, update);
			}
			return new UpdateBatch(this, operation, update, taken, connection).run();
		}
		finally {
			JdbcUtils.closeConnection(connection);
		}
	}

	/**
	 * Count a batch about to be sent, and tell the engine's listener.
	 */
	void counted(int size) {
		this.engine.counters.batchExecuted(size);
	}

}
