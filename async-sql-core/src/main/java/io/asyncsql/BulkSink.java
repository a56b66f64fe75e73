package io.asyncsql;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A {@link Flow.Subscriber} that writes the rows it receives into a table as a
 * {@link BulkLoad} defines, with backpressure: it asks its publisher for a batch of rows
 * at a time, and for the next only when the database has taken the one before, so that it
 * never holds more than two batches. It holds one connection and one engine permit from
 * subscription until its rows are committed or rolled back.
 * <p>
 * Subscribe it to one publisher, once. Its {@link #result()} completes with the number of
 * rows written once they are committed and the connection is back in the pool, or
 * exceptionally:
 * <ul>
 * <li>with the publisher's error when it signals {@code onError};</li>
 * <li>with Spring's {@link org.springframework.dao.DataAccessException} translation when
 * the database refuses a row (the publisher's subscription is cancelled);</li>
 * <li>with {@link IllegalArgumentException} when the values function fails for a row, and
 * {@link IllegalStateException} when the sink is subscribed to a second time;</li>
 * <li>with the engine's exceptions when no connection comes
 * ({@link EngineSaturatedException}, {@link QueueTimeoutException},
 * {@link EngineClosedException}).</li>
 * </ul>
 * What was not committed is rolled back in each case: nothing in
 * {@link BulkLoad#inOneTransaction() one transaction}, the rows of the commits already
 * made with {@link BulkLoad#commitEvery(long)}. Cancelling the result cancels the
 * subscription, rolls back what is not committed and releases the connection shortly
 * after.
 *
 * @param <T> the row type
 * @since 0.1.0
 * @see AsyncJdbcTemplate#bulkSink(BulkLoad)
 */
public interface BulkSink<T> extends Flow.Subscriber<T> {

	/**
	 * Return the outcome of the load.
	 * @return a future of the number of rows written
	 */
	CompletableFuture<Long> result();

	/**
	 * Return the rows committed so far: all of them once the result has completed
	 * normally, those of the commits made before a failure otherwise.
	 * @return the rows committed
	 */
	long committedRows();

}
