package io.asyncsql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

import com.zaxxer.hikari.HikariDataSource;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Reactive Streams TCK's subscriber rules against {@link BulkSink}, on H2 (TestNG,
 * run on the JUnit Platform by the TestNG engine). Sinks the TCK leaves unfinished are
 * cancelled at the end, and every connection must then come back.
 */
public class BulkSinkTckTests extends FlowSubscriberBlackboxVerification<Integer> {

	private final List<BulkSink<Integer>> sinks = new ArrayList<>();

	private HikariDataSource pool;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	public BulkSinkTckTests() {
		super(new TestEnvironment(2000, 200));
	}

	@BeforeClass
	public void startEngine() {
		this.pool = TestDatabase.H2.pool("bulk-tck", 50);
		this.engine = AsyncEngine.builder(this.pool).name("bulk-tck").build();
		this.template = new AsyncJdbcTemplate(this.engine);
		this.template.getJdbcTemplate().execute("create table tck (id integer)");
	}

	@AfterClass
	public void stopEngine() {
		try {
			synchronized (this.sinks) {
				this.sinks.forEach((sink) -> sink.result().cancel(false));
				CompletableFuture
					.allOf(this.sinks.stream()
						.map((sink) -> sink.result().exceptionally((failure) -> 0L))
						.toArray(CompletableFuture[]::new))
					.join();
			}
			org.awaitility.Awaitility.await()
				.atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(this.engine.stats().active()).isZero());
		}
		finally {
			this.engine.close();
			this.pool.close();
		}
	}

	@Override
	public Flow.Subscriber<Integer> createFlowSubscriber() {
		BulkSink<Integer> sink = this.template
			.bulkSink(BulkLoad.into("tck", List.of("id"), (Integer id) -> new Object[] { id }).batchSize(4));
		synchronized (this.sinks) {
			this.sinks.add(sink);
		}
		return sink;
	}

	@Override
	public Integer createElement(int element) {
		return element;
	}

}
