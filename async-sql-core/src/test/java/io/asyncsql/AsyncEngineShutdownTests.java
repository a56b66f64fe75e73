package io.asyncsql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariDataSource;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing an engine: drain, then cancel; every future completes and nothing leaks.
 */
class AsyncEngineShutdownTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final HikariDataSource pool = TestDatabase.H2.pool("shutdown", 4);

	@AfterEach
	void close() {
		this.pool.close();
	}

	/**
	 * Build engines whose shutdown timeout outlasts every wait here, so that a close()
	 * that waits for it fails the test instead of passing late.
	 */
	private AsyncEngineBuilder patient(ThreadMode mode) {
		return AsyncEngine.builder(this.pool).threadMode(mode).shutdownTimeout(Duration.ofMinutes(5));
	}

	/**
	 * A value to complete by hand, which an operation can wait for to stay running.
	 */
	private static CompletableFuture<Integer> held() {
		return new CompletableFuture<Integer>().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	// Repeated: the last task gives up its permit just before it completes its future,
	// and close() must wait for the future, not only for the permit.
	@RepeatedTest(10)
	void closeDrainsQueuedWorkWithinTheShutdownTimeout() {
		AsyncEngine engine = AsyncEngine.builder(this.pool).maxConcurrency(2).build();
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
		List<CompletableFuture<Integer>> futures = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			futures.add(template.queryForObject("select ?", Integer.class, i));
		}
		engine.close();
		assertThat(engine.isClosed()).isTrue();
		for (int i = 0; i < futures.size(); i++) {
			assertThat(futures.get(i)).isCompletedWithValue(i);
		}
		assertThat(template.update("select 1")).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(EngineClosedException.class)
			.withMessage("async-sql engine 'main' is closed and accepts no new work");
		assertThat(engine.connect()).isCompletedExceptionally();
		engine.close();
	}

	@Test
	void closeFromTheCallbackOfAnOperationDoesNotWaitForThatCallback() {
		AsyncEngine engine = patient(ThreadMode.PLATFORM).build();
		// Held until the callback is attached, so that the callback runs on the worker.
		CompletableFuture<Integer> release = held();
		CompletableFuture<String> closedInCallback = engine.execute((con) -> release.join()).thenApply((value) -> {
			engine.close();
			return engine.isClosed() ? Thread.currentThread().getName() : "still open";
		});
		release.complete(1);
		assertThat(closedInCallback).succeedsWithin(WAIT, InstanceOfAssertFactories.STRING).startsWith("async-sql-");
	}

	@Test
	void closeFromInsideAnOperationFailsAtOnceAndTheEngineGoesOn() {
		AsyncEngine engine = patient(ThreadMode.PLATFORM).build();
		CompletableFuture<Integer> closing = engine.execute((con) -> {
			engine.close();
			return 1;
		});
		assertThat(Futures.failure(closing)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("close() was called from inside one of its own operations");
		assertThat(engine.isClosed()).isFalse();
		assertThat(engine.execute((con) -> 2)).succeedsWithin(WAIT).isEqualTo(2);
		engine.close();
		assertThat(engine.isClosed()).isTrue();
	}

	@Test
	void closeFromAStageOfAConnectionsCloseClosesAtOnce() {
		AsyncEngine engine = patient(ThreadMode.PLATFORM).build();
		AsyncConnection connection = Futures.result(engine.connect());
		// Holds the connection, so that close() completes later, on the worker.
		CompletableFuture<Integer> release = held();
		CompletableFuture<Integer> held = connection.execute((con) -> release.join());
		CompletableFuture<String> closedInStage = connection.close().thenApply((value) -> {
			engine.close();
			return engine.isClosed() ? Thread.currentThread().getName() : "still open";
		});
		release.complete(1);
		assertThat(closedInStage).succeedsWithin(WAIT, InstanceOfAssertFactories.STRING).startsWith("async-sql-");
		assertThat(held).isCompletedWithValue(1);
	}

	@Test
	void closeFromADecoratorAfterACancelledOperationCloses() {
		AtomicReference<AsyncEngine> engine = new AtomicReference<>();
		AtomicReference<RuntimeException> closeFailure = new AtomicReference<>();
		CountDownLatch closeReturned = new CountDownLatch(1);
		engine.set(patient(ThreadMode.PLATFORM).taskDecorator((task) -> () -> {
			task.run();
			try {
				engine.get().close();
			}
			catch (RuntimeException ex) {
				closeFailure.set(ex);
			}
			closeReturned.countDown();
		}).build());
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Boolean> running = engine.get().execute((con) -> Futures.await(release));
		await().atMost(WAIT).until(() -> engine.get().stats().active() == 1);
		assertThat(running.cancel(true)).isTrue();
		release.countDown();
		assertThat(Futures.await(closeReturned)).isTrue();
		assertThat(closeFailure.get()).isNull();
		assertThat(engine.get().isClosed()).isTrue();
	}

	// AUTO: virtual threads where the JVM has them.
	@ParameterizedTest
	@EnumSource(names = { "PLATFORM", "AUTO" })
	void closeFromACallbackLetsTheOperationWaitingForThatWorkerFinish(ThreadMode mode) {
		AsyncEngine engine = patient(mode).maxConcurrency(1).build();
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
		CompletableFuture<Integer> release = held();
		CompletableFuture<Integer> first = engine.execute((con) -> release.join());
		await().atMost(WAIT).until(() -> engine.stats().active() == 1);
		// Queued: the permit passes to it just before the first completes, on the same
		// worker, which then runs the callback below.
		CompletableFuture<Integer> next = template.queryForObject("select 2", Integer.class);
		assertThat(engine.stats().queued()).isOne();
		CompletableFuture<Boolean> closedInCallback = first.thenApply((value) -> {
			engine.close();
			return engine.isClosed();
		});
		release.complete(1);
		assertThat(closedInCallback).as("close() returns well before the shutdown timeout")
			.succeedsWithin(WAIT)
			.isEqualTo(true);
		assertThat(next).isCompletedWithValue(2);
	}

	@Test
	void closeUnderLoadCompletesEveryFutureAndCancelsRunningStatements() {
		// Four CPU-bound H2 queries would occupy every carrier of virtual threads on a
		// 2-core machine (see ThreadMode.VIRTUAL): platform threads keep the test honest.
		AsyncEngine engine = AsyncEngine.builder(this.pool)
			.maxConcurrency(4)
			.threadMode(ThreadMode.PLATFORM)
			.shutdownTimeout(Duration.ofMillis(300))
			.build();
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
		List<CompletableFuture<?>> futures = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			futures.add(template.queryForObject(H2.LONG_QUERY, Long.class));
		}
		AsyncConnection lane = Futures.result(engine.connect());
		futures.add(lane.begin().thenCompose((tx) -> lane.queryForObject(H2.LONG_QUERY, Long.class)));
		for (int i = 0; i < 2000; i++) {
			futures.add(template.queryForObject("select ?", Integer.class, i));
		}
		await().atMost(WAIT).until(() -> engine.stats().active() == 4);
		engine.close();
		assertThat(futures).allSatisfy((future) -> assertThat(future).isDone());
		long values = futures.stream().filter((f) -> !f.isCompletedExceptionally()).count();
		long closed = futures.stream().filter((f) -> Futures.failure(f) instanceof EngineClosedException).count();
		long cancelled = futures.stream().filter((f) -> Futures.failure(f) instanceof CancellationException).count();
		assertThat(values + closed + cancelled).isEqualTo(futures.size());
		assertThat(cancelled).isGreaterThanOrEqualTo(3);
		assertThat(closed).isGreaterThan(0);
		assertThat(lane.isClosed()).isTrue();
		await().atMost(WAIT).until(() -> this.pool.getHikariPoolMXBean().getActiveConnections() == 0);
		EngineStats stats = engine.stats();
		assertThat(stats.active()).isZero();
		assertThat(stats.queued()).isZero();
	}

}
