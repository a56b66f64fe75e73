package io.asyncsql.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import io.r2dbc.spi.Statement;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A natively non-blocking driver: r2dbc-postgresql behind r2dbc-pool, no JDBC and no
 * worker threads.
 */
final class R2dbcContender implements Contender {

	private final String name;

	private final ConnectionPool pool;

	R2dbcContender(String name, Settings settings, int poolSize) {
		this.name = name;
		PostgresqlConnectionConfiguration configuration = PostgresqlConnectionConfiguration.builder()
			.host(settings.host())
			.port(settings.port())
			.database(settings.database())
			.username(settings.user())
			.password(settings.password().isEmpty() ? null : settings.password())
			.build();
		this.pool = new ConnectionPool(
				ConnectionPoolConfiguration.builder(new PostgresqlConnectionFactory(configuration))
					.initialSize(poolSize)
					.maxSize(poolSize)
					.build());
		this.pool.warmup().block(Duration.ofSeconds(30));
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public CompletableFuture<?> execute(Workload workload, Object[] arguments) {
		return Mono
			.usingWhen(this.pool.create(), (connection) -> run(connection, workload, arguments), Connection::close)
			.toFuture();
	}

	private static Mono<?> run(Connection connection, Workload workload, Object[] arguments) {
		Statement statement = connection.createStatement(workload.sql((n) -> "$" + n));
		for (int i = 0; i < arguments.length; i++) {
			statement.bind(i, arguments[i]);
		}
		Flux<? extends Result> results = Flux.from(statement.execute());
		return switch (workload) {
			case POINT_SELECT -> results.flatMap((result) -> result.map(R2dbcContender::item)).single();
			case INSERT -> results.flatMap(Result::getRowsUpdated).reduce(0L, Long::sum);
			case RANGE_READ -> results.flatMap((result) -> result.map(R2dbcContender::item)).collectList();
		};
	}

	private static Item item(Row row, RowMetadata metadata) {
		return new Item(row.get(0, Integer.class), row.get(1, String.class), row.get(2, Integer.class));
	}

	@Override
	public void close() {
		this.pool.disposeLater().block(Duration.ofSeconds(30));
	}

}
