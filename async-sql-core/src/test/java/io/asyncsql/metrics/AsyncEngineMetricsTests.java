package io.asyncsql.metrics;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.ReadReplica;
import io.asyncsql.ThreadMode;
import io.asyncsql.TransientFailures;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.dao.CannotAcquireLockException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncEngineMetrics}, {@link ReadReplicaMetrics} and
 * {@link TransactionRetryMetrics}, bound to a {@link SimpleMeterRegistry} without Spring
 * Boot.
 */
class AsyncEngineMetricsTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final MeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void metricsGivenToTheBuilderTimeEachOperationUnderTheEngineName() {
		AsyncEngineMetrics metrics = new AsyncEngineMetrics(Tags.of("region", "eu"));
		try (AsyncEngine engine = engine("orders").listener(metrics).build()) {
			metrics.bindTo(this.registry);
			AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
			assertThat(template.queryForObject("select 1", Integer.class)).succeedsWithin(WAIT);
			assertThat(template.queryForObject("select 2", Integer.class)).succeedsWithin(WAIT);
			Timer execution = this.registry.get("asyncsql.tasks.execution")
				.tags("name", "orders", "region", "eu")
				.timer();
			Timer wait = this.registry.get("asyncsql.tasks.wait").tags("name", "orders", "region", "eu").timer();
			assertThat(execution.count()).isEqualTo(2);
			assertThat(wait.count()).isEqualTo(2);
			assertThat(execution.totalTime(TimeUnit.NANOSECONDS)).isPositive();
			assertThat(metrics.getEngine()).isSameAs(engine);
		}
	}

	@Test
	void gaugesAndCountersFollowTheEngineStats() {
		AsyncEngineMetrics metrics = new AsyncEngineMetrics();
		try (AsyncEngine engine = engine("gauged").maxConcurrency(1).queueCapacity(1).listener(metrics).build()) {
			metrics.bindTo(this.registry);
			CountDownLatch release = new CountDownLatch(1);
			CompletableFuture<Boolean> running = engine.execute((connection) -> released(release));
			try {
				await().atMost(WAIT).until(() -> gauge("asyncsql.tasks.active", "gauged") == 1);
				CompletableFuture<Integer> queued = engine.execute((connection) -> 1);
				assertThat(engine.execute((connection) -> 2)).failsWithin(WAIT);
				assertThat(gauge("asyncsql.tasks.queued", "gauged")).isEqualTo(1);
				assertThat(this.registry.get("asyncsql.tasks.rejected").tag("name", "gauged").functionCounter().count())
					.isEqualTo(1);
				assertThat(this.registry.get("asyncsql.leaks").tag("name", "gauged").functionCounter().count())
					.isZero();
				release.countDown();
				assertThat(queued).succeedsWithin(WAIT);
			}
			finally {
				release.countDown();
			}
			assertThat(running).succeedsWithin(WAIT);
			await().atMost(WAIT).until(() -> gauge("asyncsql.tasks.active", "gauged") == 0);
		}
	}

	@Test
	void twoEnginesInOneRegistryEachGetTheirOwnMeters() {
		AsyncEngineMetrics first = new AsyncEngineMetrics();
		AsyncEngineMetrics second = new AsyncEngineMetrics();
		try (AsyncEngine busy = engine("busy").listener(first).build();
				AsyncEngine idle = engine("idle").listener(second).build()) {
			first.bindTo(this.registry);
			second.bindTo(this.registry);
			assertThat(busy.execute((connection) -> 1)).succeedsWithin(WAIT);
			assertThat(this.registry.get("asyncsql.tasks.execution").tag("name", "busy").timer().count()).isOne();
			assertThat(this.registry.get("asyncsql.tasks.execution").tag("name", "idle").timer().count()).isZero();
			assertThat(this.registry.get("asyncsql.tasks.queued").gauges()).hasSize(2);
		}
	}

	@Test
	void metricsOfAnEngineAlreadyBuiltHaveGaugesButNoTimers() {
		try (AsyncEngine engine = engine("built").build()) {
			new AsyncEngineMetrics(engine, Tags.empty()).bindTo(this.registry);
			assertThat(this.registry.find("asyncsql.tasks.queued").tag("name", "built").gauge()).isNotNull();
			assertThat(this.registry.find("asyncsql.leaks").tag("name", "built").functionCounter()).isNotNull();
			assertThat(this.registry.find("asyncsql.tasks.execution").timer()).isNull();
		}
	}

	@Test
	void bindingBeforeTheEngineIsBuiltFails() {
		assertThatIllegalStateException().isThrownBy(() -> new AsyncEngineMetrics().bindTo(this.registry))
			.withMessageContaining("before their engine is built");
	}

	@Test
	void metricsGivenToASecondEngineAreRefused() {
		AsyncEngineMetrics metrics = new AsyncEngineMetrics();
		try (AsyncEngine engine = engine("first").listener(metrics).build()) {
			assertThatIllegalStateException().isThrownBy(() -> engine("second").listener(metrics).build())
				.withMessageContaining("'first'")
				.withMessageContaining("'second'");
			assertThat(metrics.getEngine()).isSameAs(engine);
		}
	}

	@Test
	void readerIsMeasuredAsDownOrUpUnderItsEngineName() {
		try (AsyncEngine engine = engine("reader").build()) {
			new ReadReplicaMetrics(ReadReplica.of(engine), Tags.empty()).bindTo(this.registry);
			assertThat(gauge("asyncsql.reader.down", "reader")).isZero();
		}
	}

	@Test
	void retriedTransactionsAreCountedByFailureType() {
		TransactionRetryMetrics metrics = new TransactionRetryMetrics("retrying");
		metrics.bindTo(this.registry);
		try (AsyncEngine engine = engine("retrying").build()) {
			RetryPolicy policy = TransientFailures.retryPolicy(false).maxRetries(1).delay(Duration.ofMillis(1)).build();
			AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine).withRetry(policy).withRetryListener(metrics);
			AtomicInteger attempts = new AtomicInteger();
			assertThat(template.inTransaction(
					(tx) -> (attempts.incrementAndGet() == 1) ? CompletableFuture.failedFuture(serializationFailure())
							: tx.queryForObject("select 1", Integer.class)))
				.succeedsWithin(WAIT);
			assertThat(this.registry.get("asyncsql.transactions.retries")
				.tags("name", "retrying", "exception", "CannotAcquireLockException")
				.counter()
				.count()).isOne();
			assertThat(template.inTransaction((tx) -> CompletableFuture.failedFuture(serializationFailure())))
				.failsWithin(WAIT);
			assertThat(this.registry.get("asyncsql.transactions.retries.exhausted")
				.tag("name", "retrying")
				.counter()
				.count()).isOne();
		}
	}

	private static CannotAcquireLockException serializationFailure() {
		return new CannotAcquireLockException("could not serialize access (test)",
				new SQLException("could not serialize access", "40001"));
	}

	private static boolean released(CountDownLatch latch) {
		try {
			return latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private double gauge(String name, String engine) {
		return this.registry.get(name).tag("name", engine).gauge().value();
	}

	private static io.asyncsql.AsyncEngineBuilder engine(String name) {
		return AsyncEngine.builder(dataSource(name)).name(name).threadMode(ThreadMode.PLATFORM);
	}

	private static DataSource dataSource(String name) {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:metrics-" + name + ";DB_CLOSE_DELAY=-1");
		return dataSource;
	}

}
