package io.asyncsql.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import javax.sql.DataSource;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.ThreadMode;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Rows per second read from one large PostgreSQL result: async-sql's backpressured
 * {@code stream(...)} against a blocking {@code JdbcTemplate.query} with the same fetch
 * size and row mapper.
 * <p>
 * PostgreSQL honours a fetch size only inside a transaction (a cursor); the stream opens
 * one on its own connection, so the blocking read runs in one too, or it would load the
 * whole result at once and measure something else. The subscriber asks for one fetch's
 * worth of rows at a time, as a consumer that keeps memory bounded would.
 */
final class Streaming implements AutoCloseable {

	static final int FETCH_SIZE = 1_000;

	private static final String SQL = "SELECT g, md5(g::text) FROM generate_series(1, ?) g";

	private static final RowMapper<Item> ROW = (rs, rowNum) -> new Item(rs.getInt(1), rs.getString(2), 0);

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final AsyncEngine engine;

	private final AsyncJdbcTemplate template;

	/**
	 * One round's figures.
	 *
	 * @param rows rows in the result
	 * @param blockingRowsPerSecond rows per second of {@code JdbcTemplate.query}
	 * @param streamedRowsPerSecond rows per second of async-sql's stream
	 */
	record Result(int rows, double blockingRowsPerSecond, double streamedRowsPerSecond) {

		double ratio() {
			return this.streamedRowsPerSecond / this.blockingRowsPerSecond;
		}

	}

	Streaming(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.jdbc.setFetchSize(FETCH_SIZE);
		this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.engine = AsyncEngine.builder(dataSource).name("streaming").threadMode(ThreadMode.PLATFORM).build();
		this.template = new AsyncJdbcTemplate(this.engine, this.jdbc);
	}

	/**
	 * Read the result both ways, once each.
	 */
	Result measure(int rows) {
		double blocking = rowsPerSecond(rows, () -> blockingRead(rows));
		double streamed = rowsPerSecond(rows, () -> streamedRead(rows));
		return new Result(rows, blocking, streamed);
	}

	private static double rowsPerSecond(int rows, LongSupplier read) {
		long start = System.nanoTime();
		long count = read.getAsLong();
		double seconds = (System.nanoTime() - start) / 1e9;
		if (count != rows) {
			throw new IllegalStateException("Read " + count + " rows instead of " + rows);
		}
		return rows / seconds;
	}

	private long blockingRead(int rows) {
		long[] count = new long[1];
		this.transactions.executeWithoutResult((status) -> this.jdbc.query(SQL, (rs) -> {
			consume(ROW.mapRow(rs, (int) count[0]));
			count[0]++;
		}, rows));
		return count[0];
	}

	private long streamedRead(int rows) {
		CountingSubscriber subscriber = new CountingSubscriber();
		this.template.stream(SQL, ROW, rows).subscribe(subscriber);
		try {
			return subscriber.done.get(2, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while streaming", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("Streaming failed", ex);
		}
	}

	private static void consume(Item item) {
		if (item.id() <= 0) {
			throw new IllegalStateException("Unexpected row " + item);
		}
	}

	@Override
	public void close() {
		this.engine.close();
	}

	/**
	 * Requests a fetch's worth of rows at a time and counts them.
	 */
	private static final class CountingSubscriber implements Flow.Subscriber<Item> {

		final CompletableFuture<Long> done = new CompletableFuture<>();

		private Flow.@Nullable Subscription subscription;

		private long count;

		@Override
		public void onSubscribe(Flow.Subscription subscription) {
			this.subscription = subscription;
			subscription.request(FETCH_SIZE);
		}

		@Override
		public void onNext(Item item) {
			consume(item);
			if (++this.count % FETCH_SIZE == 0 && this.subscription != null) {
				this.subscription.request(FETCH_SIZE);
			}
		}

		@Override
		public void onError(Throwable throwable) {
			this.done.completeExceptionally(throwable);
		}

		@Override
		public void onComplete() {
			this.done.complete(this.count);
		}

	}

}
