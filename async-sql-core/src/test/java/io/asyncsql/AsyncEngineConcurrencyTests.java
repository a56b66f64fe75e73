package io.asyncsql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads and thousands of operations in flight against few permits, on H2.
 */
class AsyncEngineConcurrencyTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final int PERMITS = 4;

	private final HikariDataSource pool = TestDatabase.H2.pool("concurrency", 10);

	/** Connections of the pool in use at once, and the most seen. */
	private final AtomicInteger inUse = new AtomicInteger();

	private final AtomicInteger maxInUse = new AtomicInteger();

	private final InterceptingDataSource dataSource = new InterceptingDataSource(this.pool)
		.onGetConnection((connection) -> this.maxInUse.accumulateAndGet(this.inUse.incrementAndGet(), Math::max))
		.before("close", (connection, args) -> this.inUse.decrementAndGet());

	private final ExecutorService callers = Executors.newFixedThreadPool(32);

	private AsyncEngine engine;

	@AfterEach
	void close() throws InterruptedException {
		this.callers.shutdownNow();
		this.callers.awaitTermination(10, TimeUnit.SECONDS);
		if (this.engine != null) {
			this.engine.close();
		}
		this.pool.close();
	}

	@Test
	void tenThousandOperationsFromThirtyTwoThreadsCompleteCorrectlyWithinThePermits() throws Exception {
		this.engine = AsyncEngine.builder(this.dataSource)
			.name("load")
			.maxConcurrency(PERMITS)
			.queueCapacity(30_000)
			.threadMode(ThreadMode.PLATFORM)
			.build();
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine);
		new JdbcTemplate(this.pool).execute("create table numbers (n int primary key, square bigint)");
		Set<String> workerThreads = ConcurrentHashMap.newKeySet();
		int perThread = 10_000 / 32 + 1;
		CountDownLatch start = new CountDownLatch(1);
		List<java.util.concurrent.Future<List<CompletableFuture<Boolean>>>> submitted = new ArrayList<>();
		for (int t = 0; t < 32; t++) {
			int thread = t;
			submitted.add(this.callers.submit(() -> {
				assertThat(start.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				List<CompletableFuture<Boolean>> checks = new ArrayList<>();
				for (int i = 0; i < perThread; i++) {
					int n = thread * perThread + i;
					checks.add(template.update("insert into numbers values (?, ?)", n, (long) n * n)
						.thenCompose((inserted) -> template.queryForObject("select square from numbers where n = ?",
								Long.class, n))
						.thenCombine(this.engine.execute((con) -> workerThreads.add(Thread.currentThread().getName())),
								(square, recorded) -> square == (long) n * n));
				}
				return checks;
			}));
		}
		start.countDown();
		List<CompletableFuture<Boolean>> all = new ArrayList<>();
		for (java.util.concurrent.Future<List<CompletableFuture<Boolean>>> batch : submitted) {
			all.addAll(batch.get(60, TimeUnit.SECONDS));
		}
		assertThat(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))).succeedsWithin(WAIT);
		assertThat(all).allSatisfy((check) -> assertThat(check).isCompletedWithValue(true));
		assertThat(new JdbcTemplate(this.pool).queryForObject("select count(*) from numbers", Integer.class))
			.isEqualTo(32 * perThread);
		assertThat(this.maxInUse).hasValueLessThanOrEqualTo(PERMITS);
		assertThat(this.inUse).hasValue(0);
		Pattern worker = Pattern.compile("async-sql-load-\\d+");
		assertThat(workerThreads).allMatch((name) -> worker.matcher(name).matches()).hasSizeLessThanOrEqualTo(PERMITS);
		assertThat(Thread.getAllStackTraces().keySet()).filteredOn((t) -> worker.matcher(t.getName()).matches())
			.hasSizeLessThanOrEqualTo(PERMITS);
		EngineStats stats = this.engine.stats();
		assertThat(stats.completed()).isEqualTo(3L * 32 * perThread);
		assertThat(stats.failed() + stats.rejected() + stats.cancelled()).isZero();
		assertThat(stats.active()).isZero();
		assertThat(stats.queued()).isZero();
	}

	@Test
	void connectionRunsOperationsInSubmissionOrderAcrossThreads() throws Exception {
		this.engine = AsyncEngine.builder(this.dataSource).maxConcurrency(PERMITS).build();
		new JdbcTemplate(this.pool).execute("create table events (seq int auto_increment primary key, n int)");
		AsyncConnection connection = Futures.result(this.engine.connect());
		Object order = new Object();
		int[] next = { 0 };
		List<CompletableFuture<Integer>> inserts = new ArrayList<>();
		CountDownLatch start = new CountDownLatch(1);
		List<java.util.concurrent.Future<?>> done = new ArrayList<>();
		for (int t = 0; t < 16; t++) {
			done.add(this.callers.submit(() -> {
				assertThat(start.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				for (int i = 0; i < 200; i++) {
					synchronized (order) {
						inserts.add(connection.update("insert into events (n) values (?)", next[0]++));
					}
				}
				return null;
			}));
		}
		start.countDown();
		for (java.util.concurrent.Future<?> f : done) {
			f.get(60, TimeUnit.SECONDS);
		}
		assertThat(CompletableFuture.allOf(inserts.toArray(CompletableFuture[]::new))).succeedsWithin(WAIT);
		assertThat(connection.close()).succeedsWithin(WAIT);
		List<Integer> stored = new JdbcTemplate(this.pool).queryForList("select n from events order by seq",
				Integer.class);
		assertThat(stored).hasSize(16 * 200).isSorted();
		assertThat(this.inUse).hasValue(0);
	}

	@Test
	void connectionsHoldPermitsSoOtherWorkWaits() {
		this.engine = AsyncEngine.builder(this.dataSource).maxConcurrency(2).build();
		AsyncConnection first = Futures.result(this.engine.connect());
		AsyncConnection second = Futures.result(this.engine.connect());
		CompletableFuture<Integer> waiting = this.engine.execute((con) -> 1);
		assertThat(this.engine.stats().queued()).isEqualTo(1);
		assertThat(waiting).isNotDone();
		first.close();
		assertThat(waiting).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(second.close()).succeedsWithin(WAIT);
		assertThat(this.engine.stats().active()).isZero();
	}

}
