package io.asyncsql;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariDataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.adapter.JdkFlowAdapter;
import io.asyncsql.reactor.ReactiveJdbcTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link BulkSink} on every database: rows and awkward values arrive intact through
 * {@code COPY} and JDBC batches, demand stays within a batch, and a failure, an error of
 * the publisher or a cancel leaves nothing uncommitted, the connection and permit
 * released.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class BulkSinkTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@Parameter
	TestDatabase database;

	private HikariDataSource pool;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	private JdbcTemplate jdbc;

	private String table;

	@BeforeEach
	void start() {
		this.database.assumeAvailable();
		this.pool = this.database.pool("bulk", 3);
		this.engine = AsyncEngine.builder(this.pool).name("bulk").build();
		this.template = new AsyncJdbcTemplate(this.engine);
		this.jdbc = this.template.getJdbcTemplate();
		this.table = TestDatabase.uniqueTableName("bulk");
		this.jdbc.execute("create table " + this.table + " (id integer primary key, name varchar(200), flag boolean, "
				+ "amount decimal(12,3), created " + timestampType() + ", data " + bytesType() + ")");
	}

	@AfterEach
	void stop() {
		if (this.pool == null) {
			return;
		}
		try {
			Awaitility.await().atMost(WAIT).untilAsserted(() -> {
				assertThat(this.engine.stats().active()).as("active permits").isZero();
				assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).as("connections in use").isZero();
			});
			this.jdbc.execute("drop table " + this.table);
		}
		finally {
			this.engine.close();
			this.pool.close();
		}
	}

	@Test
	void writesEveryRowAndCountsThem() {
		assertThat(this.template.bulkLoad(rows(0, 10_000), load())).succeedsWithin(WAIT).isEqualTo(10_000L);
		assertThat(count()).isEqualTo(10_000);
		assertThat(this.jdbc.queryForObject("select sum(id) from " + this.table, Long.class))
			.isEqualTo(10_000L * 9_999 / 2);
	}

	@Test
	void emptyPublisherWritesNothing() {
		assertThat(this.template.bulkLoad(rows(0, 0), load())).succeedsWithin(WAIT).isEqualTo(0L);
		assertThat(count()).isZero();
	}

	@Test
	void awkwardValuesRoundTripThroughCopy() {
		assertRoundTrip(load());
	}

	@Test
	void awkwardValuesRoundTripThroughJdbcBatches() {
		assertRoundTrip(load().useCopy(false));
	}

	private void assertRoundTrip(BulkLoad<Row> load) {
		List<String> names = List.of("tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "'quoted'",
				"\"double\"", "comma,semicolon;", "", "ünïcødé ✓ 日本", "\\.", "end\\");
		Timestamp at = Timestamp.valueOf(LocalDateTime.of(2024, 2, 29, 13, 45, 6, 123_456_000));
		List<Row> written = new ArrayList<>();
		for (int i = 0; i < names.size(); i++) {
			written.add(new Row(i, names.get(i), i % 2 == 0, new BigDecimal("-1234.500").add(BigDecimal.valueOf(i)), at,
					new byte[] { 0, 9, 10, 13, 92, (byte) 0xff, (byte) i }));
		}
		written.add(new Row(names.size(), null, null, null, null, null));
		assertThat(this.template.bulkLoad(JdkFlowAdapter.publisherToFlowPublisher(Flux.fromIterable(written)), load))
			.succeedsWithin(WAIT)
			.isEqualTo((long) written.size());
		List<Row> read = this.jdbc.query(
				"select id, name, flag, amount, created, data from " + this.table + " order by id",
				(rs, n) -> new Row(rs.getInt(1), rs.getString(2), (Boolean) rs.getObject(3, Boolean.class),
						rs.getBigDecimal(4), rs.getTimestamp(5), rs.getBytes(6)));
		assertThat(read).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(written);
	}

	@Test
	void oneTransactionLeavesNothingAfterPublisherError() {
		IllegalStateException boom = new IllegalStateException("publisher failed");
		Flow.Publisher<Row> failing = JdkFlowAdapter
			.publisherToFlowPublisher(Flux.range(0, 2_500).map(BulkSinkTests::row).concatWith(Flux.error(boom)));
		BulkSink<Row> sink = this.template.bulkSink(load().batchSize(300));
		failing.subscribe(sink);
		assertThat(sink.result()).failsWithin(WAIT).withThrowableThat().havingCause().isSameAs(boom);
		assertThat(count()).isZero();
		assertThat(sink.committedRows()).isZero();
	}

	@Test
	void commitEveryLeavesCommittedChunksAfterPublisherError() {
		IllegalStateException boom = new IllegalStateException("publisher failed");
		Flow.Publisher<Row> failing = JdkFlowAdapter
			.publisherToFlowPublisher(Flux.range(0, 2_500).map(BulkSinkTests::row).concatWith(Flux.error(boom)));
		BulkSink<Row> sink = this.template.bulkSink(load().batchSize(300).commitEvery(1_000));
		failing.subscribe(sink);
		assertThat(sink.result()).failsWithin(WAIT).withThrowableThat().havingCause().isSameAs(boom);
		assertThat(count()).isEqualTo(2_000);
		assertThat(sink.committedRows()).isEqualTo(2_000);
	}

	@Test
	void oneTransactionLeavesNothingAfterConstraintViolation() {
		AtomicBoolean cancelled = new AtomicBoolean();
		Flow.Publisher<Row> duplicate = JdkFlowAdapter.publisherToFlowPublisher(
				Flux.range(0, 5_000).map((i) -> row((i == 2_500) ? 7 : i)).doOnCancel(() -> cancelled.set(true)));
		assertThat(this.template.bulkLoad(duplicate, load().batchSize(300))).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(DataIntegrityViolationException.class);
		assertThat(count()).isZero();
		assertThat(cancelled).as("publisher's subscription cancelled").isTrue();
	}

	@Test
	void commitEveryLeavesCommittedChunksAfterConstraintViolation() {
		Flow.Publisher<Row> duplicate = JdkFlowAdapter
			.publisherToFlowPublisher(Flux.range(0, 5_000).map((i) -> row((i == 2_500) ? 7 : i)));
		BulkSink<Row> sink = this.template.bulkSink(load().batchSize(300).commitEvery(1_000));
		duplicate.subscribe(sink);
		assertThat(sink.result()).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(DataIntegrityViolationException.class);
		assertThat(count()).isEqualTo(2_000);
		assertThat(sink.committedRows()).isEqualTo(2_000);
	}

	@Test
	void cancelRollsBackCancelsThePublisherAndReleasesTheConnection() {
		AtomicBoolean cancelled = new AtomicBoolean();
		AtomicLong emitted = new AtomicLong();
		Flow.Publisher<Row> endless = JdkFlowAdapter.publisherToFlowPublisher(endless(emitted, cancelled));
		BulkSink<Row> sink = this.template.bulkSink(load().batchSize(500));
		endless.subscribe(sink);
		Awaitility.await().atMost(WAIT).until(() -> emitted.get() == 1_500);
		assertThat(sink.result().cancel(false)).isTrue();
		Awaitility.await().atMost(WAIT).untilTrue(cancelled);
		assertThat(sink.result()).failsWithin(WAIT).withThrowableThat().isInstanceOf(CancellationException.class);
		awaitReleasedAndEmpty();
	}

	@Test
	void cancelWhileWaitingForAConnectionLeavesTheQueue() {
		AsyncEngine single = AsyncEngine.builder(this.pool).name("bulk-single").maxConcurrency(1).build();
		try {
			AsyncJdbcTemplate template = new AsyncJdbcTemplate(single);
			AsyncConnection held = template.connect().join();
			AtomicBoolean cancelled = new AtomicBoolean();
			CompletableFuture<Long> loading = template.bulkLoad(JdkFlowAdapter.publisherToFlowPublisher(
					Flux.range(0, 10).map(BulkSinkTests::row).doOnCancel(() -> cancelled.set(true))), load());
			assertThat(single.stats().queued()).isEqualTo(1);
			assertThat(loading.cancel(false)).isTrue();
			assertThat(single.stats().queued()).as("queued after the cancel").isZero();
			assertThat(cancelled).isTrue();
			assertThat(held.close()).succeedsWithin(WAIT);
			Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(single.stats().active()).isZero());
			assertThat(count()).isZero();
		}
		finally {
			single.close();
		}
	}

	@Test
	void rowsBeyondTheDemandFailTheLoad() {
		Flow.Publisher<Row> unruly = (subscriber) -> subscriber.onSubscribe(new Flow.Subscription() {

			private int next;

			@Override
			public void request(long n) {
				// Twice what was asked for: a broken publisher.
				for (long i = 0; i < 2 * n; i++) {
					subscriber.onNext(row(this.next++));
				}
			}

			@Override
			public void cancel() {
			}

		});
		assertThat(this.template.bulkLoad(unruly, load().batchSize(10))).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("rule 1.1");
		assertThat(count()).isZero();
	}

	@Test
	void outstandingDemandNeverExceedsOneBatch() {
		int batchSize = 250;
		AtomicLong outstanding = new AtomicLong();
		AtomicLong maxOutstanding = new AtomicLong();
		Flux<Row> fast = Flux.range(0, 20_000)
			.map(BulkSinkTests::row)
			.publishOn(Schedulers.parallel())
			.doOnRequest((n) -> maxOutstanding.accumulateAndGet(outstanding.addAndGet(n), Math::max))
			.doOnNext((row) -> outstanding.decrementAndGet());
		assertThat(this.template.bulkLoad(JdkFlowAdapter.publisherToFlowPublisher(fast), load().batchSize(batchSize)))
			.succeedsWithin(WAIT)
			.isEqualTo(20_000L);
		assertThat(maxOutstanding).hasValueLessThanOrEqualTo(batchSize).hasPositiveValue();
		assertThat(count()).isEqualTo(20_000);
	}

	@Test
	void reactiveBulkLoadRunsOnSubscriptionAndCountsRows() {
		ReactiveJdbcTemplate reactive = new ReactiveJdbcTemplate(this.template);
		Mono<Long> loading = reactive.bulkLoad(Flux.range(0, 3_000).map(BulkSinkTests::row), load().batchSize(700));
		assertThat(count()).as("nothing before subscription").isZero();
		StepVerifier.create(loading).expectNext(3_000L).expectComplete().verify(WAIT);
		assertThat(count()).isEqualTo(3_000);
	}

	@Test
	void disposingReactiveBulkLoadRollsBackAndCancelsTheRows() {
		AtomicBoolean cancelled = new AtomicBoolean();
		AtomicLong emitted = new AtomicLong();
		StepVerifier
			.create(new ReactiveJdbcTemplate(this.template).bulkLoad(endless(emitted, cancelled),
					load().batchSize(500)))
			.then(() -> Awaitility.await().atMost(WAIT).until(() -> emitted.get() == 1_500))
			.thenCancel()
			.verify(WAIT);
		Awaitility.await().atMost(WAIT).untilTrue(cancelled);
		awaitReleasedAndEmpty();
	}

	/**
	 * Return 1,500 rows and then nothing, never completing, as a stream that waits for
	 * its source would.
	 */
	private static Flux<Row> endless(AtomicLong emitted, AtomicBoolean cancelled) {
		return Flux.range(0, 1_500)
			.map(BulkSinkTests::row)
			.concatWith(Flux.never())
			.doOnNext((row) -> emitted.incrementAndGet())
			.doOnCancel(() -> cancelled.set(true));
	}

	private void awaitReleasedAndEmpty() {
		Awaitility.await()
			.atMost(WAIT)
			.untilAsserted(() -> assertThat(this.pool.getHikariPoolMXBean().getActiveConnections()).isZero());
		assertThat(count()).isZero();
	}

	@Test
	void badDefinitionsAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.template.bulkSink(null))
			.withMessageContaining("'load'");
		assertThatIllegalArgumentException().isThrownBy(() -> load().batchSize(0))
			.withMessageContaining("'batchSize' must be positive, but was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> load().commitEvery(-1))
			.withMessageContaining("'commitEvery' must be positive");
		assertThatIllegalArgumentException().isThrownBy(() -> BulkLoad.into(" ", List.of("id"), (Row row) -> null))
			.withMessageContaining("'table'");
		assertThatIllegalArgumentException().isThrownBy(() -> BulkLoad.into("t", List.of(), (Row row) -> null))
			.withMessageContaining("'columns'");
	}

	@Test
	void valuesOfTheWrongLengthFailTheLoadAndWriteNothing() {
		BulkLoad<Row> wrong = BulkLoad.into(this.table, List.of("id", "name"), (Row row) -> new Object[] { row.id() });
		assertThat(this.template.bulkLoad(rows(0, 10), wrong)).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalArgumentException.class)
			.withMessageContaining("returned 1 values for a row of 2 columns");
		assertThat(count()).isZero();
	}

	@Test
	void subscribingTwiceCancelsTheSecondSubscriptionAndFailsTheLoad() {
		AtomicBoolean secondCancelled = new AtomicBoolean();
		BulkSink<Row> sink = this.template.bulkSink(load());
		JdkFlowAdapter.publisherToFlowPublisher(Flux.<Row>never()).subscribe(sink);
		JdkFlowAdapter.publisherToFlowPublisher(Flux.<Row>never().doOnCancel(() -> secondCancelled.set(true)))
			.subscribe(sink);
		assertThat(secondCancelled).isTrue();
		assertThat(sink.result()).failsWithin(WAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("subscribed to a second time");
	}

	private BulkLoad<Row> load() {
		return BulkLoad.into(this.table, List.of("id", "name", "flag", "amount", "created", "data"), (
				Row row) -> new Object[] { row.id(), row.name(), row.flag(), row.amount(), row.created(), row.data() });
	}

	private static Flow.Publisher<Row> rows(int from, int count) {
		return JdkFlowAdapter.publisherToFlowPublisher(Flux.range(from, count).map(BulkSinkTests::row));
	}

	private static Row row(int id) {
		return new Row(id, "row " + id, id % 3 == 0, BigDecimal.valueOf(id, 2), null, null);
	}

	private int count() {
		return this.jdbc.queryForObject("select count(*) from " + this.table, Integer.class);
	}

	private String timestampType() {
		return (this.database == TestDatabase.MARIADB) ? "datetime(6)" : "timestamp(6)";
	}

	private String bytesType() {
		return switch (this.database) {
			case POSTGRESQL -> "bytea";
			case MARIADB -> "varbinary(100)";
			case H2 -> "varbinary(100)";
		};
	}

	record Row(int id, String name, Boolean flag, BigDecimal amount, Timestamp created, byte[] data) {
	}

}
