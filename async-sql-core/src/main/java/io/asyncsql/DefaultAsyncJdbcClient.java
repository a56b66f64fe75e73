package io.asyncsql;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.dao.support.DataAccessUtils;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCreator;
import org.springframework.jdbc.core.PreparedStatementSetter;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.SimplePropertyRowMapper;
import org.springframework.jdbc.core.SingleColumnRowMapper;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.ParsedSql;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.core.SqlProvider;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.util.Assert;

/**
 * The {@link AsyncJdbcClient} behind {@link AsyncJdbcClient#create(AsyncJdbcTemplate)}.
 * <p>
 * A terminal freezes and checks the spec's parameters on the caller's thread, then
 * submits one callback that runs Spring's {@link JdbcClient} on the connection the engine
 * bound for it: through an {@link AsyncJdbcTemplate} (any pooled connection, the
 * template's deadline) or, in a transaction, through the lane that holds the
 * transaction's connection. Spring's client, its named-parameter template (whose parsed
 * SQL cache the checks share) and the row mappers are shared by every view of one client.
 */
final class DefaultAsyncJdbcClient implements AsyncJdbcClient {

	private final JdbcOperationsSupport operations;

	private final Shared shared;

	DefaultAsyncJdbcClient(AsyncJdbcTemplate template) {
		this(template, new Shared(checkNotNull(template).getJdbcTemplate()));
	}

	private DefaultAsyncJdbcClient(JdbcOperationsSupport operations, Shared shared) {
		this.operations = operations;
		this.shared = shared;
	}

	private static AsyncJdbcTemplate checkNotNull(AsyncJdbcTemplate template) {
		Assert.notNull(template, "'template' must not be null");
		return template;
	}

	@Override
	public StatementSpec sql(String sql) {
		SqlArguments.checkSql(sql);
		return new DefaultStatementSpec(sql);
	}

	@Override
	public AsyncJdbcClient withTimeout(Duration timeout) {
		Assert.notNull(timeout, "'timeout' must not be null");
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, () -> "'timeout' must be positive, but was " + timeout);
		return new DefaultAsyncJdbcClient(this.operations.withTimeout(timeout), this.shared);
	}

	@Override
	public AsyncJdbcClient readOnly() {
		return on(this.operations.forReads(null));
	}

	@Override
	public AsyncJdbcClient readOnly(Duration maxStaleness) {
		Assert.notNull(maxStaleness, "'maxStaleness' must not be null");
		return on(this.operations.forReads(maxStaleness));
	}

	@Override
	public AsyncJdbcClient on(AsyncConnection connection) {
		// The one type test: a connection is the caller's argument, checked here.
		Assert.isInstanceOf(JdbcOperationsSupport.class, connection,
				"'connection' must be an async-sql connection (from AsyncEngine.connect() or a transaction)");
		return on((JdbcOperationsSupport) connection);
	}

	@Override
	public <T> CompletableFuture<T> inTransaction(Function<AsyncJdbcClient, ? extends CompletionStage<T>> work) {
		Assert.notNull(work, "'work' must not be null");
		// A read-only transaction may have moved to the primary: on() uses the lane's
		// template.
		return this.operations.transaction((operations) -> work.apply(on(operations)));
	}

	/**
	 * Return this client, or one on the given operations that shares its state.
	 */
	private DefaultAsyncJdbcClient on(JdbcOperationsSupport operations) {
		if (operations == this.operations) {
			return this;
		}
		return new DefaultAsyncJdbcClient(operations, this.shared.forTemplate(operations.jdbcTemplate));
	}

	private <T> CompletableFuture<T> submit(String sql, JdbcClient.StatementSpec statement,
			Function<JdbcClient.StatementSpec, T> terminal) {
		SqlWork<T> work = SqlWork.statement(sql, (connection) -> terminal.apply(statement));
		return this.operations.submit(work);
	}

	/**
	 * State shared by a client and its views.
	 */
	private static final class Shared {

		private final ParsingTemplate namedTemplate;

		private final JdbcClient jdbcClient;

		private final ConversionService conversionService = DefaultConversionService.getSharedInstance();

		private final Map<Class<?>, RowMapper<?>> rowMappers = new ConcurrentHashMap<>();

		private final JdbcTemplate jdbcTemplate;

		/**
		 * The state of the same client on other templates: the reader's, the primary's.
		 */
		private final Map<JdbcTemplate, Shared> siblings;

		Shared(JdbcTemplate jdbcTemplate) {
			this(jdbcTemplate, new ConcurrentHashMap<>());
			this.siblings.put(jdbcTemplate, this);
		}

		private Shared(JdbcTemplate jdbcTemplate, Map<JdbcTemplate, Shared> siblings) {
			this.jdbcTemplate = jdbcTemplate;
			this.namedTemplate = new ParsingTemplate(jdbcTemplate);
			this.jdbcClient = JdbcClient.create(this.namedTemplate, this.conversionService);
			this.siblings = siblings;
		}

		/**
		 * Return the state for statements run through the given template, whose
		 * {@link JdbcClient} finds that template's connection.
		 */
		Shared forTemplate(JdbcTemplate template) {
			if (template == this.jdbcTemplate) {
				return this;
			}
			return this.siblings.computeIfAbsent(template, (key) -> new Shared(key, this.siblings));
		}

		/**
		 * Choose a row mapper as {@code JdbcClient.query(Class)} does.
		 */
		@SuppressWarnings("unchecked")
		<T> RowMapper<T> rowMapper(Class<T> mappedClass) {
			return (RowMapper<T>) this.rowMappers.computeIfAbsent(mappedClass,
					(type) -> BeanUtils.isSimpleProperty(type)
							? new SingleColumnRowMapper<>(type, this.conversionService)
							: new SimplePropertyRowMapper<>(type, this.conversionService));
		}

	}

	/**
	 * A {@link NamedParameterJdbcTemplate} that shares its cache of parsed SQL.
	 */
	private static final class ParsingTemplate extends NamedParameterJdbcTemplate {

		ParsingTemplate(JdbcTemplate jdbcTemplate) {
			super(jdbcTemplate);
		}

		ParsedSql parse(String sql) {
			return getParsedSql(sql);
		}

		/**
		 * Return the statement as an update a batch can carry: prepared and set as this
		 * template prepares it, alone as Spring's client runs it.
		 */
		CoalescibleUpdate update(String sql, StatementParameters.Bound bound, JdbcClient.StatementSpec statement) {
			ConnectionCallback<Integer> alone = (connection) -> statement.update();
			SqlParameterSource named = bound.named();
			if (named == null) {
				return new CoalescibleUpdate(getJdbcTemplate(), sql,
						new ArgumentPreparedStatementSetter(bound.indexed()), alone);
			}
			PreparedStatementCreator creator = getPreparedStatementCreator(sql, named);
			String preparedSql = ((SqlProvider) creator).getSql();
			Assert.state(preparedSql != null, "No SQL from the statement creator");
			return new CoalescibleUpdate(getJdbcTemplate(), preparedSql, (PreparedStatementSetter) creator, alone);
		}

	}

	private final class DefaultStatementSpec implements StatementSpec {

		private final String sql;

		private final StatementParameters parameters = new StatementParameters();

		DefaultStatementSpec(String sql) {
			this.sql = sql;
		}

		@Override
		public StatementSpec param(@Nullable Object value) {
			this.parameters.add(value);
			return this;
		}

		@Override
		public StatementSpec params(@Nullable Object... values) {
			Assert.notNull(values, "'values' must not be null");
			for (Object value : values) {
				this.parameters.add(value);
			}
			return this;
		}

		@Override
		public StatementSpec param(String name, @Nullable Object value) {
			this.parameters.add(name, value);
			return this;
		}

		@Override
		public StatementSpec params(Map<String, ?> paramMap) {
			this.parameters.addAll(paramMap);
			return this;
		}

		@Override
		public StatementSpec paramSource(Object namedParamObject) {
			this.parameters.source(namedParamObject);
			return this;
		}

		@Override
		public StatementSpec paramSource(SqlParameterSource namedParamSource) {
			this.parameters.source(namedParamSource);
			return this;
		}

		@Override
		public <T> MappedQuerySpec<T> query(Class<T> mappedClass) {
			Assert.notNull(mappedClass, "'mappedClass' must not be null");
			return new DefaultMappedQuerySpec<>(this, DefaultAsyncJdbcClient.this.shared.rowMapper(mappedClass));
		}

		@Override
		public <T> MappedQuerySpec<T> query(RowMapper<T> rowMapper) {
			Assert.notNull(rowMapper, "'rowMapper' must not be null");
			return new DefaultMappedQuerySpec<>(this, rowMapper);
		}

		@Override
		public CompletableFuture<Integer> update() {
			JdbcOperationsSupport operations = DefaultAsyncJdbcClient.this.operations;
			if (!operations.coalescesUpdates()) {
				return run(JdbcClient.StatementSpec::update);
			}
			Shared shared = DefaultAsyncJdbcClient.this.shared;
			StatementParameters.Bound bound = this.parameters.bind(this.sql, shared.namedTemplate.parse(this.sql));
			JdbcClient.StatementSpec statement = bound.applyTo(shared.jdbcClient.sql(this.sql));
			return operations
				.submit(SqlWork.statement(this.sql, shared.namedTemplate.update(this.sql, bound, statement)));
		}

		@Override
		public CompletableFuture<Integer> update(KeyHolder generatedKeyHolder) {
			Assert.notNull(generatedKeyHolder, "'generatedKeyHolder' must not be null");
			return run((statement) -> statement.update(generatedKeyHolder));
		}

		@Override
		public CompletableFuture<Integer> update(KeyHolder generatedKeyHolder, String... keyColumnNames) {
			Assert.notNull(generatedKeyHolder, "'generatedKeyHolder' must not be null");
			Assert.notEmpty(keyColumnNames, "'keyColumnNames' must not be empty");
			String[] names = keyColumnNames.clone();
			return run((statement) -> statement.update(generatedKeyHolder, names));
		}

		<T> Flow.Publisher<T> stream(RowMapper<T> rowMapper) {
			ParsedSql parsedSql = DefaultAsyncJdbcClient.this.shared.namedTemplate.parse(this.sql);
			StatementParameters.Bound bound = this.parameters.bind(this.sql, parsedSql);
			return DefaultAsyncJdbcClient.this.operations.stream(bound.positionalSql(this.sql, parsedSql), rowMapper,
					bound.positionalArgs(parsedSql));
		}

		/**
		 * Freeze and check the parameters here, then run the statement on an engine
		 * thread.
		 */
		<T> CompletableFuture<T> run(Function<JdbcClient.StatementSpec, T> terminal) {
			Shared shared = DefaultAsyncJdbcClient.this.shared;
			StatementParameters.Bound bound = this.parameters.bind(this.sql, shared.namedTemplate.parse(this.sql));
			return submit(this.sql, bound.applyTo(shared.jdbcClient.sql(this.sql)), terminal);
		}

	}

	private static final class DefaultMappedQuerySpec<T> implements MappedQuerySpec<T> {

		private final DefaultStatementSpec statement;

		private final RowMapper<T> rowMapper;

		DefaultMappedQuerySpec(DefaultStatementSpec statement, RowMapper<T> rowMapper) {
			this.statement = statement;
			this.rowMapper = rowMapper;
		}

		@Override
		public Flow.Publisher<T> stream() {
			return this.statement.stream(this.rowMapper);
		}

		@Override
		public CompletableFuture<List<T>> list() {
			return this.statement.run((spec) -> spec.query(this.rowMapper).list());
		}

		@Override
		public CompletableFuture<T> single() {
			return this.statement
				.run((spec) -> DataAccessUtils.requiredSingleResult(spec.query(this.rowMapper).list()));
		}

		@Override
		public CompletableFuture<Optional<T>> optional() {
			return this.statement.run((spec) -> DataAccessUtils.optionalResult(spec.query(this.rowMapper).list()));
		}

	}

}
