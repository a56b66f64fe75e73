package io.asyncsql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import com.zaxxer.hikari.HikariDataSource;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admission control: a full queue, FIFO order, queue timeouts, deadlines and
 * cancellation, on H2.
 */
class AsyncEngineAdmissionTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/**
	 * A deadline that slow dispatch on a busy machine cannot use up before the statement
	 * starts, yet far shorter than {@link H2#LONG_QUERY} runs.
	 */
	private static final Duration STATEMENT_BUDGET = Duration.ofSeconds(3);

	private static final RowMapper<Integer> QUERY_TIMEOUT = (rs, row) -> rs.getStatement().getQueryTimeout();

	private final HikariDataSource pool = TestDatabase.H2.pool("admission", 2);

	private final CountDownLatch release = new CountDownLatch(1);

	private AsyncEngine engine;

	@AfterEach
	void close() {
		this.release.countDown();
		this.engine.close();
		this.pool.close();
	}

	private AsyncEngine engine(AsyncEngineBuilder builder) {
		this.engine = builder.build();
		return this.engine;
	}

	/** Occupy a permit until {@link #release} opens. */
	private CompletableFuture<Void> occupyPermit() {
		CountDownLatch started = new CountDownLatch(1);
		CompletableFuture<Void> holder = this.engine.execute((con) -> {
			started.countDown();
			assertThat(Futures.await(this.release)).isTrue();
			return null;
		});
		assertThat(Futures.await(started)).isTrue();
		return holder;
	}

	@Test
	void submitWhenQueueFullFailsFastAndIsCounted() {
		engine(AsyncEngine.builder(this.pool).name("tight").maxConcurrency(1).queueCapacity(2));
		occupyPermit();
		CompletableFuture<Integer> first = this.engine.execute((con) -> 1);
		CompletableFuture<Integer> second = this.engine.execute((con) -> 2);
		CompletableFuture<Integer> refused = this.engine.execute((con) -> 3);
		assertThat(refused).isCompletedExceptionally();
		assertThat(refused).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(EngineSaturatedException.class)
			.withMessageContaining("'tight' is saturated (active=1, queued=2, capacity=2)")
			.withMessageContaining("async-sql.queue.capacity");
		assertThat(this.engine.stats().rejected()).isEqualTo(1);
		assertThat(this.engine.stats().queued()).isEqualTo(2);
		this.release.countDown();
		assertThat(first).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(second).succeedsWithin(WAIT).isEqualTo(2);
		assertThat(this.engine.execute((con) -> 4)).succeedsWithin(WAIT).isEqualTo(4);
	}

	@Test
	void queuedTasksRunInSubmissionOrder() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(1));
		occupyPermit();
		List<Integer> order = new CopyOnWriteArrayList<>();
		List<CompletableFuture<Boolean>> tasks = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			int index = i;
			tasks.add(this.engine.execute((con) -> order.add(index)));
		}
		assertThat(this.engine.stats().queued()).isEqualTo(100);
		this.release.countDown();
		assertThat(CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new))).succeedsWithin(WAIT);
		assertThat(order).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
	}

	@Test
	void queuedTaskTimesOutAndNeverRuns() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(1).queueTimeout(Duration.ofMillis(200)));
		occupyPermit();
		AtomicBoolean ran = new AtomicBoolean();
		CompletableFuture<Boolean> waiting = this.engine.execute((con) -> ran.getAndSet(true));
		assertThat(waiting).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(QueueTimeoutException.class)
			.withMessageContaining("async-sql.queue.timeout (PT0.2S)");
		assertThat(this.engine.stats().queued()).isZero();
		this.release.countDown();
		assertThat(this.engine.execute((con) -> 1)).succeedsWithin(WAIT);
		assertThat(ran).isFalse();
		assertThat(this.engine.stats().failed()).isEqualTo(1);
	}

	@Test
	void eachQueuedTaskTimesOutAfterItsOwnWait() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(1).queueTimeout(Duration.ofSeconds(1)));
		occupyPermit();
		CompletableFuture<Integer> first = this.engine.execute((con) -> 1);
		assertThat(first).failsWithin(WAIT).withThrowableThat().havingCause().isInstanceOf(QueueTimeoutException.class);
		// Queued after the first expired: it gets a whole wait of its own, not the
		// first's.
		CompletableFuture<Integer> second = this.engine.execute((con) -> 2);
		assertThat(second).isNotDone();
		assertThat(this.engine.stats().queued()).isOne();
		assertThat(second).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(QueueTimeoutException.class);
		this.release.countDown();
		assertThat(this.engine.execute((con) -> 3)).succeedsWithin(WAIT).isEqualTo(3);
		assertThat(this.engine.stats().failed()).isEqualTo(2);
	}

	@Test
	void cancelWhileQueuedRemovesTheTask() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(1));
		occupyPermit();
		AtomicBoolean ran = new AtomicBoolean();
		CompletableFuture<Boolean> waiting = this.engine.execute((con) -> ran.getAndSet(true));
		CompletableFuture<Integer> after = this.engine.execute((con) -> 2);
		assertThat(this.engine.stats().queued()).isEqualTo(2);
		assertThat(waiting.cancel(true)).isTrue();
		assertThat(this.engine.stats().queued()).isEqualTo(1);
		this.release.countDown();
		assertThat(after).succeedsWithin(WAIT).isEqualTo(2);
		assertThat(ran).isFalse();
		assertThat(this.engine.stats().cancelled()).isEqualTo(1);
	}

	@Test
	void cancelWhileRunningCancelsStatement() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(2));
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine);
		CompletableFuture<Long> running = template.queryForObject(H2.LONG_QUERY, Long.class);
		await().atMost(WAIT).until(() -> executingLongQueries() == 1);
		assertThat(running.cancel(true)).isTrue();
		await().atMost(WAIT).until(() -> executingLongQueries() == 0);
		await().atMost(WAIT).until(() -> this.pool.getHikariPoolMXBean().getActiveConnections() == 0);
		assertThat(this.engine.stats().active()).isZero();
		assertThat(this.engine.stats().cancelled()).isEqualTo(1);
		assertThat(template.queryForObject("select 1", Integer.class)).succeedsWithin(WAIT).isEqualTo(1);
	}

	@Test
	void cancelledWorkCannotStartAnotherStatement() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(1));
		CountDownLatch inside = new CountDownLatch(1);
		CountDownLatch cancelled = new CountDownLatch(1);
		List<Throwable> secondStatement = new ArrayList<>();
		CompletableFuture<Object> work = this.engine.execute((con) -> {
			inside.countDown();
			assertThat(Futures.await(cancelled)).isTrue();
			// The abort reaches the connection asynchronously: poll until it refuses.
			await().atMost(WAIT).until(() -> {
				try {
					con.createStatement().close();
					return false;
				}
				catch (java.sql.SQLException ex) {
					secondStatement.add(ex);
					return true;
				}
			});
			return null;
		});
		assertThat(Futures.await(inside)).isTrue();
		work.cancel(true);
		cancelled.countDown();
		await().atMost(WAIT).until(() -> this.engine.stats().active() == 0);
		assertThat(secondStatement).singleElement()
			.asInstanceOf(InstanceOfAssertFactories.THROWABLE)
			.hasMessageContaining("cancelled");
	}

	@Test
	void deadlineCoversQueueWait() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(1));
		occupyPermit();
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine).withTimeout(Duration.ofMillis(200));
		assertThat(template.queryForObject("select 1", Integer.class)).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(QueueTimeoutException.class)
			.withMessageContaining("withTimeout(PT0.2S)");
	}

	@Test
	void remainingDeadlineBecomesTheStatementsQueryTimeout() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(2));
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine);
		assertThat(template.queryForObject("select 1", QUERY_TIMEOUT)).as("without a deadline")
			.succeedsWithin(WAIT)
			.isEqualTo(0);
		assertThat(template.withTimeout(Duration.ofSeconds(30)).queryForObject("select 1", QUERY_TIMEOUT))
			.as("seconds left of a 30 s deadline")
			.succeedsWithin(WAIT, InstanceOfAssertFactories.INTEGER)
			.isBetween(1, 30);
	}

	@Test
	void deadlineDoesNotOutliveItsCallOnThePooledConnection() {
		// One connection, so the second call surely runs on the connection of the first.
		try (HikariDataSource single = TestDatabase.H2.pool("admission-single", 1)) {
			AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine(AsyncEngine.builder(single)));
			assertThat(template.withTimeout(Duration.ofSeconds(30)).queryForObject("select 1", QUERY_TIMEOUT))
				.succeedsWithin(WAIT, InstanceOfAssertFactories.INTEGER)
				.isBetween(1, 30);
			assertThat(template.queryForObject("select 1", QUERY_TIMEOUT)).as("a later call without a deadline")
				.succeedsWithin(WAIT)
				.isEqualTo(0);
			this.engine.close();
		}
	}

	@Test
	void deadlineCancelsTheRunningStatement() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(2));
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine).withTimeout(STATEMENT_BUDGET);
		assertThat(template.queryForObject(H2.LONG_QUERY, Long.class)).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(StatementTimeoutException.class)
			.withMessageContaining("withTimeout(" + STATEMENT_BUDGET + ")");
		await().atMost(WAIT).until(() -> executingLongQueries() == 0);
		await().atMost(WAIT).until(() -> this.pool.getHikariPoolMXBean().getActiveConnections() == 0);
		assertThat(template.queryForObject("select 1", Integer.class)).succeedsWithin(WAIT).isEqualTo(1);
	}

	@Test
	void deadlineCoversTheWholeTransaction() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(2));
		new JdbcTemplate(this.pool).execute("create table t (n int)");
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine).withTimeout(STATEMENT_BUDGET);
		CompletableFuture<Long> result = template.inTransaction((tx) -> tx.update("insert into t values (1)")
			.thenCompose((inserted) -> tx.queryForObject(H2.LONG_QUERY, Long.class)));
		assertThat(result).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(StatementTimeoutException.class);
		await().atMost(WAIT).until(() -> this.pool.getHikariPoolMXBean().getActiveConnections() == 0);
		assertThat(new JdbcTemplate(this.pool).queryForObject("select count(*) from t", Integer.class)).isZero();
	}

	@Test
	void queryTimeoutOfTheJdbcTemplateNamesTheSetting() {
		engine(AsyncEngine.builder(this.pool).maxConcurrency(2));
		JdbcTemplate jdbcTemplate = new JdbcTemplate(this.pool);
		jdbcTemplate.setQueryTimeout(1);
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine, jdbcTemplate);
		assertThat(template.queryForObject(H2.LONG_QUERY, Long.class)).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(StatementTimeoutException.class)
			.withMessageContaining("async-sql.query-timeout");
	}

	private int executingLongQueries() {
		return new JdbcTemplate(this.pool).queryForObject(
				"select count(*) from information_schema.sessions where executing_statement like '%SYSTEM_RANGE(1, 100000) A%' and session_id <> session_id()",
				Integer.class);
	}

}
