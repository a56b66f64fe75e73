package io.asyncsql;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import com.zaxxer.hikari.HikariDataSource;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.core.task.TaskDecorator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every accepted future completes and every permit comes back, even when code the engine
 * calls out to misbehaves: listeners, task decorators, transaction work that never
 * completes, subscribers that stop asking for rows.
 */
class AsyncEngineGuaranteesTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final HikariDataSource pool = TestDatabase.H2.pool("guarantees", 2,
			(config) -> config.setJdbcUrl(config.getJdbcUrl() + ";LAZY_QUERY_EXECUTION=TRUE"));

	private @Nullable AsyncEngine engine;

	@AfterEach
	void close() {
		if (this.engine != null) {
			this.engine.close();
		}
		this.pool.close();
	}

	@Test
	void throwingListenerLosesNoOperation() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).listener(new AsyncEngineListener() {

			@Override
			public void operationStarted(long waitNanos) {
				throw new IllegalStateException("listener broken at start");
			}

			@Override
			public void operationFinished(long executionNanos, @Nullable Throwable failure) {
				throw new IllegalStateException("listener broken at finish");
			}

		}));
		assertServesOnOnePermit(new AsyncJdbcTemplate(engine));
	}

	@Test
	void decoratorThatThrowsBeforeRunningFailsTheOperationAndFreesThePermit() {
		AtomicBoolean broken = new AtomicBoolean(true);
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).taskDecorator((task) -> {
			boolean fail = broken.get();
			return () -> {
				if (fail) {
					throw new IllegalStateException("decorator broken");
				}
				task.run();
			};
		}));
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
		List<CompletableFuture<Integer>> failing = submitMany(template);
		broken.set(false);
		failing.forEach((future) -> assertThat(future).failsWithin(WAIT)
			.withThrowableOfType(Exception.class)
			.withRootCauseInstanceOf(IllegalStateException.class)
			.withMessageContaining("decorator broken"));
		assertServesOnOnePermit(template);
	}

	@Test
	void decoratorThatNeverRunsTheTaskFailsTheOperation() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).taskDecorator((task) -> () -> {
		}));
		assertThat(new AsyncJdbcTemplate(engine).queryForObject("select 1", Integer.class)).failsWithin(WAIT)
			.withThrowableOfType(Exception.class)
			.withMessageContaining("TaskDecorator returned without running");
		assertThat(engine.stats().active()).isZero();
	}

	@Test
	void decoratorThatThrowsAfterRunningKeepsResultsOnEveryPath() throws Exception {
		TaskDecorator throwsAfter = (task) -> () -> {
			task.run();
			throw new IllegalStateException("decorator broken after the task");
		};
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).taskDecorator(throwsAfter));
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
		assertServesOnOnePermit(template);
		AsyncConnection connection = template.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(connection.queryForObject("select 2", Integer.class)).succeedsWithin(WAIT).isEqualTo(2);
		assertThat(connection.close()).succeedsWithin(WAIT);
		assertThat(template.inTransaction((tx) -> tx.queryForObject("select 3", Integer.class))).succeedsWithin(WAIT)
			.isEqualTo(3);
	}

	@Test
	void transactionWhoseWorkNeverCompletesFailsAtItsDeadlineAndRollsBack() {
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(start(AsyncEngine.builder(this.pool)));
		assertThat(template.execute("create table guarded (id int)")).succeedsWithin(WAIT);
		CompletableFuture<Object> transaction = template.withTimeout(Duration.ofMillis(500))
			.inTransaction((tx) -> tx.update("insert into guarded values (1)")
				.thenCompose((inserted) -> new CompletableFuture<>()));
		assertThat(transaction).failsWithin(WAIT)
			.withThrowableOfType(Exception.class)
			.withCauseInstanceOf(StatementTimeoutException.class)
			.withMessageContaining("transaction exceeded");
		assertThat(template.queryForObject("select count(*) from guarded", Integer.class)).succeedsWithin(WAIT)
			.isEqualTo(0);
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
		assertThat(this.engine.stats().active()).isZero();
	}

	@Test
	void idleStreamIsFailedWhenTheEngineShutsDown() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).shutdownTimeout(Duration.ofMillis(100)));
		StepVerifier.create(numbers(new AsyncJdbcTemplate(engine)), 1)
			.expectNext(1L)
			.then(engine::close)
			.expectError(EngineClosedException.class)
			.verify(WAIT);
		assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void idleStreamIsFailedWhenItsConnectionIsClosed() throws Exception {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool));
		AsyncConnection connection = engine.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		StepVerifier.create(numbers(connection), 1)
			.expectNext(1L)
			.then(connection::close)
			.expectError(EngineClosedException.class)
			.verify(WAIT);
		assertThat(engine.stats().active()).isZero();
	}

	@Test
	void workerThatNeverFindsTheQueueEmptyKeepsNoFinishedResult() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool));
		CountDownLatch gate = new CountDownLatch(1);
		CountDownLatch last = new CountDownLatch(1);
		engine.execute((con) -> Futures.await(gate));
		List<WeakReference<byte[]>> results = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 100; i++) {
			engine.execute((con) -> new byte[64 * 1024])
				.thenAccept((result) -> results.add(new WeakReference<>(result)));
		}
		CompletableFuture<Boolean> holding = engine.execute((con) -> Futures.await(last));
		gate.countDown();
		// One worker ran them all in a row and is still running: it must not hold them.
		Awaitility.await().atMost(WAIT).until(() -> results.size() == 100);
		Awaitility.await().atMost(WAIT).until(() -> {
			System.gc();
			return results.stream().allMatch((result) -> result.get() == null);
		});
		last.countDown();
		assertThat(holding).succeedsWithin(WAIT).isEqualTo(true);
	}

	/**
	 * Clients chain each next operation from the previous one's completion, on the engine
	 * thread, as async code does; once two operations hold both permits, many still wait,
	 * and every result already handed to its caller must be unreachable.
	 */
	@ParameterizedTest
	@EnumSource(names = { "PLATFORM", "AUTO" })
	void completedResultsAreUnreachableWhileOthersStillWait(ThreadMode mode) {
		this.engine = AsyncEngine.builder(this.pool).name("guarantees").maxConcurrency(2).threadMode(mode).build();
		AsyncEngine engine = this.engine;
		List<WeakReference<byte[]>> results = new CopyOnWriteArrayList<>();
		AtomicInteger budget = new AtomicInteger(600);
		CountDownLatch holding = new CountDownLatch(2);
		CountDownLatch release = new CountDownLatch(1);
		List<CompletableFuture<?>> gates = new CopyOnWriteArrayList<>();
		class Client {

			void next() {
				int left = budget.decrementAndGet();
				if (left == 300 || left == 299) {
					gates.add(engine.execute((con) -> {
						holding.countDown();
						return Futures.await(release);
					}));
				}
				if (left > 0) {
					engine.execute((con) -> new byte[64 * 1024]).whenComplete((result, failure) -> {
						results.add(new WeakReference<>(result));
						next();
					});
				}
			}

		}
		for (int i = 0; i < 100; i++) {
			new Client().next();
		}
		Futures.await(holding);
		assertThat(engine.stats().queued()).as("operations still waiting").isGreaterThan(50);
		int completed = results.size();
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			System.gc();
			assertThat(results.subList(0, completed).stream().filter((result) -> result.get() != null))
				.as("results of %d completed operations still reachable", completed)
				.isEmpty();
		});
		release.countDown();
		gates.forEach((gate) -> assertThat(gate).succeedsWithin(WAIT));
		Awaitility.await().atMost(WAIT).until(() -> engine.stats().active() == 0);
	}

	@Test
	void operationsCancelledBehindAWaitingOneDoNotStayInTheQueue() {
		AsyncEngine engine = start(AsyncEngine.builder(this.pool).maxConcurrency(1).queueCapacity(10));
		CountDownLatch gate = new CountDownLatch(1);
		CompletableFuture<Boolean> holding = engine.execute((con) -> Futures.await(gate));
		CompletableFuture<Integer> head = engine.execute((con) -> 1);
		List<WeakReference<Object>> cancelled = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 100; i++) {
			Object argument = new byte[64 * 1024];
			CompletableFuture<Integer> behind = engine.execute((con) -> (argument != null) ? 2 : 0);
			cancelled.add(new WeakReference<>(argument));
			assertThat(behind.cancel(false)).isTrue();
		}
		// The head still waits, so the queue never reached the cancelled ones' nodes.
		Awaitility.await().atMost(WAIT).until(() -> {
			System.gc();
			return cancelled.stream().filter((ref) -> ref.get() != null).count() < 10;
		});
		gate.countDown();
		assertThat(holding).succeedsWithin(WAIT).isEqualTo(true);
		assertThat(head).succeedsWithin(WAIT).isEqualTo(1);
	}

	private AsyncEngine start(AsyncEngineBuilder builder) {
		this.engine = builder.name("guarantees").maxConcurrency(1).build();
		return this.engine;
	}

	private static Flux<Long> numbers(AsyncJdbcOperations operations) {
		return JdkFlowAdapter
			.flowPublisherToFlux(operations.stream("select x from system_range(1, 1000)", (rs, row) -> rs.getLong(1)));
	}

	private static List<CompletableFuture<Integer>> submitMany(AsyncJdbcTemplate template) {
		return IntStream.range(0, 50).mapToObj((i) -> template.queryForObject("select ?", Integer.class, i)).toList();
	}

	/**
	 * With one permit, a permit lost by any earlier operation would leave these queued
	 * until the queue timeout.
	 */
	private void assertServesOnOnePermit(AsyncJdbcTemplate template) {
		List<CompletableFuture<Integer>> futures = submitMany(template);
		for (int i = 0; i < futures.size(); i++) {
			assertThat(futures.get(i)).succeedsWithin(WAIT).isEqualTo(i);
		}
		assertThat(template.getEngine().stats().active()).isZero();
	}

}
