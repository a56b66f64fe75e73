package io.asyncsql;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Streaming rows with backpressure through {@link AsyncJdbcOperations#stream}, on H2.
 */
class StreamTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final HikariDataSource pool = TestDatabase.H2.pool("stream", 4,
			(config) -> config.setJdbcUrl(config.getJdbcUrl() + ";LAZY_QUERY_EXECUTION=TRUE"));

	private AsyncEngine engine = AsyncEngine.builder(this.pool).name("stream").build();

	private AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine);

	@AfterEach
	void close() {
		this.engine.close();
		this.pool.close();
	}

	private Flux<Long> numbers(AsyncJdbcOperations operations, int count) {
		return JdkFlowAdapter.flowPublisherToFlux(
				operations.stream("select x from system_range(1, ?)", (rs, row) -> rs.getLong(1), count));
	}

	@Test
	void streamEmitsEveryRowInOrderThenReleasesTheConnection() {
		StepVerifier.create(numbers(this.template, 10_000).reduce(0L, (sum, n) -> sum + n))
			.expectNext(10_000L * 10_001 / 2)
			.expectComplete()
			.verify(WAIT);
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void streamIsColdAndEachSubscriberRunsTheQuery() {
		Flux<Long> flux = numbers(this.template, 3);
		assertThat(this.engine.stats().completed()).isZero();
		StepVerifier.create(flux).expectNext(1L, 2L, 3L).expectComplete().verify(WAIT);
		StepVerifier.create(flux).expectNext(1L, 2L, 3L).expectComplete().verify(WAIT);
	}

	@Test
	void streamEmitsNoMoreThanRequested() {
		StepVerifier.create(numbers(this.template, 100), 0)
			.expectSubscription()
			.expectNoEvent(Duration.ofMillis(200))
			.thenRequest(1)
			.expectNext(1L)
			.expectNoEvent(Duration.ofMillis(200))
			.thenRequest(2)
			.expectNext(2L, 3L)
			.expectNoEvent(Duration.ofMillis(200))
			.thenCancel()
			.verify(WAIT);
		await().atMost(WAIT).until(() -> this.pool.getHikariPoolMXBean().getActiveConnections() == 0);
	}

	@Test
	void noEngineThreadWaitsWhileDemandIsZero() {
		RecordingSubscriber<Long> subscriber = new RecordingSubscriber<>();
		this.template.stream("select x from system_range(1, 1000)", (rs, row) -> rs.getLong(1)).subscribe(subscriber);
		subscriber.request(5);
		await().atMost(WAIT).until(() -> subscriber.items.size() == 5);
		assertThat(this.engine.stats().active()).as("the stream holds its permit").isEqualTo(1);
		await().atMost(WAIT).until(() -> engineThreadsInStreamSteps() == 0);
		assertThat(subscriber.items).containsExactly(1L, 2L, 3L, 4L, 5L);
		subscriber.request(Long.MAX_VALUE);
		await().atMost(WAIT).until(() -> subscriber.completed);
		assertThat(subscriber.items).hasSize(1000);
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void cancelMidStreamClosesTheStatementAndReleasesTheConnection() {
		StepVerifier.create(numbers(this.template, 1_000_000).take(10))
			.expectNextCount(10)
			.expectComplete()
			.verify(WAIT);
		await().atMost(WAIT).until(() -> this.pool.getHikariPoolMXBean().getActiveConnections() == 0);
		assertThat(this.engine.stats().active()).isZero();
		assertThat(this.template.queryForObject("select 1", Integer.class)).succeedsWithin(WAIT).isEqualTo(1);
	}

	@Test
	void errorMidStreamArrivesAsDataAccessExceptionAfterTheRowsBeforeIt() {
		Flux<Long> failing = JdkFlowAdapter.flowPublisherToFlux(
				this.template.stream("select 10 / (x - 500) from system_range(1, 1000)", (rs, row) -> rs.getLong(1)));
		StepVerifier.create(failing)
			.expectNextCount(499)
			.expectError(DataIntegrityViolationException.class)
			.verify(WAIT);
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void badSqlArrivesAsBadSqlGrammarException() {
		StepVerifier
			.create(JdkFlowAdapter
				.flowPublisherToFlux(this.template.stream("select nope from nowhere", (rs, row) -> 1)))
			.expectError(BadSqlGrammarException.class)
			.verify(WAIT);
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void rowMapperFailureEndsTheStream() {
		IllegalStateException boom = new IllegalStateException("boom");
		Flux<Long> failing = JdkFlowAdapter
			.flowPublisherToFlux(this.template.stream("select x from system_range(1, 100)", (rs, row) -> {
				if (row == 3) {
					throw boom;
				}
				return rs.getLong(1);
			}));
		StepVerifier.create(failing).expectNext(1L, 2L, 3L).expectErrorMatches((ex) -> ex == boom).verify(WAIT);
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void idleSubscriberIsCancelledAfterTheIdleTimeout() {
		useEngine(AsyncEngine.builder(this.pool).streamIdleTimeout(Duration.ofMillis(300)));
		RecordingSubscriber<Long> subscriber = new RecordingSubscriber<>();
		this.template.stream("select x from system_range(1, 100)", (rs, row) -> rs.getLong(1)).subscribe(subscriber);
		subscriber.request(1);
		await().atMost(WAIT).until(() -> subscriber.error.get() != null);
		assertThat(subscriber.items).containsExactly(1L);
		assertThat(subscriber.error.get()).isInstanceOf(StreamTimeoutException.class)
			.hasMessageContaining("async-sql.stream.idle-timeout");
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void streamOutlivingItsMaximumLifetimeIsCancelled() {
		useEngine(AsyncEngine.builder(this.pool).streamMaxLifetime(Duration.ofMillis(300)));
		RecordingSubscriber<Long> subscriber = new RecordingSubscriber<>();
		this.template.stream("select x from system_range(1, 100)", (rs, row) -> rs.getLong(1)).subscribe(subscriber);
		subscriber.request(1);
		await().atMost(WAIT).until(() -> subscriber.error.get() != null);
		assertThat(subscriber.error.get()).isInstanceOf(StreamTimeoutException.class)
			.hasMessageContaining("async-sql.stream.max-lifetime");
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void streamOnAConnectionUsesItAndLeavesItOpen() {
		new JdbcTemplate(this.pool).execute("create table items (n int)");
		AsyncConnection connection = Futures.result(this.engine.connect());
		assertThat(connection.update("insert into items select x from system_range(1, 50)")).succeedsWithin(WAIT);
		Flux<Integer> rows = JdkFlowAdapter
			.flowPublisherToFlux(connection.stream("select n from items order by n", (rs, row) -> rs.getInt(1)));
		StepVerifier.create(rows.count()).expectNext(50L).expectComplete().verify(WAIT);
		assertThat(connection.isClosed()).isFalse();
		assertThat(connection.queryForObject("select count(*) from items", Integer.class)).succeedsWithin(WAIT)
			.isEqualTo(50);
		assertThat(connection.close()).succeedsWithin(WAIT);
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void finishedStreamsLeaveNothingOnTheConnectionThatServedThem() {
		AsyncConnection connection = Futures.result(this.engine.connect());
		List<WeakReference<RecordingSubscriber<Long>>> subscribers = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			RecordingSubscriber<Long> subscriber = new RecordingSubscriber<>();
			connection.stream("select x from system_range(1, 10)", (rs, row) -> rs.getLong(1)).subscribe(subscriber);
			subscriber.request(Long.MAX_VALUE);
			await().atMost(WAIT).until(() -> subscriber.completed);
			subscribers.add(new WeakReference<>(subscriber));
		}
		// The connection is still open: nothing it keeps may reach the finished streams.
		await().atMost(WAIT).until(() -> {
			System.gc();
			return subscribers.stream().allMatch((subscriber) -> subscriber.get() == null);
		});
		assertThat(connection.close()).succeedsWithin(WAIT);
	}

	@Test
	void streamInsideATransactionSeesItsUncommittedRows() {
		new JdbcTemplate(this.pool).execute("create table items (n int)");
		java.util.concurrent.CompletableFuture<List<Integer>> seen = this.template
			.inTransaction((tx) -> tx.update("insert into items select x from system_range(1, 5)")
				.thenCompose((inserted) -> JdkFlowAdapter
					.flowPublisherToFlux(tx.stream("select n from items order by n", (rs, row) -> rs.getInt(1)))
					.collectList()
					.toFuture())
				.thenCompose((list) -> {
					throw new IllegalStateException("roll back " + list);
				}));
		assertThat(seen).failsWithin(WAIT).withThrowableThat().withMessageContaining("roll back [1, 2, 3, 4, 5]");
		assertThat(new JdbcTemplate(this.pool).queryForObject("select count(*) from items", Integer.class)).isZero();
	}

	@Test
	void requestOfZeroSignalsIllegalArgument() {
		RecordingSubscriber<Long> subscriber = new RecordingSubscriber<>();
		this.template.stream("select 1", (rs, row) -> rs.getLong(1)).subscribe(subscriber);
		subscriber.request(0);
		await().atMost(WAIT).until(() -> subscriber.error.get() != null);
		assertThat(subscriber.error.get()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
	}

	@Test
	void streamArgumentsAreCheckedAtOnce() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> this.template.stream("select ?", (rs, row) -> 1))
			.withMessageStartingWith("SQL has 1 '?' placeholder(s) but 0 argument(s)");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> this.template.stream("", (rs, row) -> 1));
	}

	private void useEngine(AsyncEngineBuilder builder) {
		this.engine.close();
		this.engine = builder.name("stream").build();
		this.template = new AsyncJdbcTemplate(this.engine);
	}

	private static long engineThreadsInStreamSteps() {
		return Thread.getAllStackTraces()
			.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().getName().startsWith("async-sql-stream-"))
			.filter((entry) -> Arrays.stream(entry.getValue())
				.anyMatch((frame) -> frame.getClassName().equals(RowSubscription.class.getName())))
			.count();
	}

	/**
	 * A subscriber that requests only when told to.
	 */
	static final class RecordingSubscriber<T> implements Flow.Subscriber<T> {

		final List<T> items = new CopyOnWriteArrayList<>();

		final AtomicReference<Throwable> error = new AtomicReference<>();

		volatile boolean completed;

		private volatile Flow.Subscription subscription;

		@Override
		public void onSubscribe(Flow.Subscription subscription) {
			this.subscription = subscription;
		}

		@Override
		public void onNext(T item) {
			this.items.add(item);
		}

		@Override
		public void onError(Throwable throwable) {
			this.error.set(throwable);
		}

		@Override
		public void onComplete() {
			this.completed = true;
		}

		void request(long n) {
			this.subscription.request(n);
		}

	}

}
