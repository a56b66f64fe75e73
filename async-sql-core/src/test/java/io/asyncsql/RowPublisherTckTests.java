package io.asyncsql;

import java.util.concurrent.Flow;

import com.zaxxer.hikari.HikariDataSource;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * The Reactive Streams TCK against the publisher of {@link AsyncJdbcOperations#stream},
 * on H2 (TestNG, run on the JUnit Platform by the TestNG engine).
 */
public class RowPublisherTckTests extends FlowPublisherVerification<Long> {

	private HikariDataSource pool;

	private AsyncEngine engine;

	private AsyncJdbcTemplate template;

	public RowPublisherTckTests() {
		super(new TestEnvironment(2000, 200));
	}

	@BeforeClass
	public void startEngine() {
		this.pool = TestDatabase.H2.pool("tck", 10,
				(config) -> config.setJdbcUrl(config.getJdbcUrl() + ";LAZY_QUERY_EXECUTION=TRUE"));
		this.engine = AsyncEngine.builder(this.pool).name("tck").queueCapacity(1000).build();
		this.template = new AsyncJdbcTemplate(this.engine);
	}

	@AfterClass
	public void stopEngine() {
		this.engine.close();
		this.pool.close();
	}

	@Override
	public Flow.Publisher<Long> createFlowPublisher(long elements) {
		return this.template.stream("select x from system_range(1, ?)", (rs, row) -> rs.getLong(1), elements);
	}

	@Override
	public Flow.Publisher<Long> createFailedFlowPublisher() {
		return this.template.stream("select no_such_column from no_such_table", (rs, row) -> rs.getLong(1));
	}

}
