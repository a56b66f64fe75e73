package io.asyncsql;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.dao.TypeMismatchDataAccessException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The {@link AsyncJdbcClient} contract, run on each {@link TestDatabase}.
 */
@EachDatabase
@TestInstance(Lifecycle.PER_CLASS)
class AsyncJdbcClientContractTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Parameter
	TestDatabase database;

	private final String users = TestDatabase.uniqueTableName("client_users");

	private HikariDataSource dataSource;

	private AsyncEngine engine;

	private AsyncJdbcClient client;

	private JdbcTemplate blocking;

	@BeforeParameterizedClassInvocation
	void startEngine() {
		if (!this.database.isAvailable()) {
			return;
		}
		this.dataSource = this.database.pool("client", 4);
		this.engine = AsyncEngine.builder(this.dataSource).name("client").threadMode(ThreadMode.PLATFORM).build();
		this.client = AsyncJdbcClient.create(this.engine);
		this.blocking = new JdbcTemplate(this.dataSource);
	}

	@AfterParameterizedClassInvocation
	void stopEngine() {
		try {
			if (this.engine != null) {
				this.engine.close();
				this.blocking.execute("drop table if exists " + this.users);
				this.dataSource.close();
			}
		}
		finally {
			// One instance serves every database: the next starts from nothing.
			this.engine = null;
			this.dataSource = null;
			this.client = null;
			this.blocking = null;
		}
	}

	@BeforeEach
	void createUsers() {
		this.database.assumeAvailable();
		this.blocking.execute("drop table if exists " + this.users);
		this.blocking.execute("create table " + this.users + " (" + this.database.identityColumn("bigint")
				+ ", name varchar(50) not null, display_name varchar(50))");
		this.blocking.update("insert into " + this.users + " (name, display_name) values ('ada', 'Ada Lovelace')");
		this.blocking.update("insert into " + this.users + " (name, display_name) values ('alan', 'Alan Turing')");
		this.blocking.update("insert into " + this.users + " (name, display_name) values ('grace', null)");
	}

	@Test
	void querySingleMapsNamedParameterQueryToRecord() {
		CompletableFuture<User> user = this.client.sql("select id, name from " + this.users + " where id = :id")
			.param("id", 1)
			.query(User.class)
			.single();
		assertThat(user).succeedsWithin(WAIT).isEqualTo(new User(1, "ada"));
	}

	@Test
	void streamEmitsMappedRowsWithNamedParametersAndListExpansion() {
		Flux<User> users = JdkFlowAdapter.flowPublisherToFlux(this.client
			.sql("select id, name from " + this.users + " where name in (:names) and id > :min order by id")
			.param("names", List.of("ada", "grace", "nobody"))
			.param("min", 0)
			.query(User.class)
			.stream());
		StepVerifier.create(users, 1)
			.expectNext(new User(1, "ada"))
			.thenRequest(1)
			.expectNext(new User(3, "grace"))
			.thenRequest(1)
			.expectComplete()
			.verify(WAIT);
	}

	@Test
	void streamWithPositionalParametersAndCheckedArguments() {
		Flux<String> names = JdkFlowAdapter
			.flowPublisherToFlux(this.client.sql("select name from " + this.users + " where id >= ? order by id")
				.param(2)
				.query(String.class)
				.stream());
		StepVerifier.create(names).expectNext("alan", "grace").expectComplete().verify(WAIT);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sql("select name from " + this.users + " where id = :id")
				.query(String.class)
				.stream());
	}

	@Test
	void queryListMapsUnderscoreColumnsToRecordComponents() {
		CompletableFuture<List<Profile>> profiles = this.client
			.sql("select id, name, display_name from " + this.users + " order by id")
			.query(Profile.class)
			.list();
		assertThat(profiles).succeedsWithin(WAIT)
			.isEqualTo(List.of(new Profile(1, "ada", "Ada Lovelace"), new Profile(2, "alan", "Alan Turing"),
					new Profile(3, "grace", null)));
	}

	@Test
	void queryListMapsColumnsToBeanProperties() {
		CompletableFuture<List<UserBean>> users = this.client
			.sql("select id, name, display_name from " + this.users + " where name = :name")
			.param("name", "alan")
			.query(UserBean.class)
			.list();
		assertThat(users).succeedsWithin(WAIT).satisfies((list) -> {
			assertThat(list).singleElement().satisfies((bean) -> {
				assertThat(bean.getId()).isEqualTo(2L);
				assertThat(bean.getDisplayName()).isEqualTo("Alan Turing");
			});
		});
	}

	@Test
	void queryWithSimpleTypeReadsTheSingleColumn() {
		assertThat(this.client.sql("select count(*) from " + this.users).query(Long.class).single())
			.succeedsWithin(WAIT)
			.isEqualTo(3L);
	}

	@Test
	void queryWithRowMapperAndPositionalParameters() {
		CompletableFuture<List<String>> names = this.client
			.sql("select name from " + this.users + " where id > ? and name <> ? order by id")
			.param(1)
			.param("grace")
			.query((rs, row) -> rs.getString("name"))
			.list();
		assertThat(names).succeedsWithin(WAIT).isEqualTo(List.of("alan"));
	}

	@Test
	void queryWithRowMapperSupportsEveryTerminal() {
		RowMapper<String> name = (rs, row) -> rs.getString("name");
		String byId = "select name from " + this.users + " where id = ?";
		assertThat(this.client.sql(byId).param(2).query(name).single()).succeedsWithin(WAIT).isEqualTo("alan");
		assertThat(this.client.sql(byId).param(2).query(name).optional()).succeedsWithin(WAIT)
			.isEqualTo(Optional.of("alan"));
		assertThat(this.client.sql(byId).param(99).query(name).optional()).succeedsWithin(WAIT)
			.isEqualTo(Optional.empty());
		assertThat(failure(this.client.sql(byId).param(99).query(name).single()))
			.isInstanceOf(EmptyResultDataAccessException.class);
		Flux<String> names = JdkFlowAdapter
			.flowPublisherToFlux(this.client.sql("select name from " + this.users + " where id > ? order by id")
				.param(1)
				.query(name)
				.stream());
		StepVerifier.create(names, 1)
			.expectNext("alan")
			.thenRequest(1)
			.expectNext("grace")
			.thenRequest(1)
			.expectComplete()
			.verify(WAIT);
	}

	@Test
	void paramsWithPositionalValuesBindsThemInOrder() {
		CompletableFuture<List<Long>> ids = this.client
			.sql("select id from " + this.users + " where id between ? and ? order by id")
			.params(2, 3)
			.query(Long.class)
			.list();
		assertThat(ids).succeedsWithin(WAIT).isEqualTo(List.of(2L, 3L));
	}

	@Test
	void paramsWithMapBindsEveryName() {
		CompletableFuture<List<String>> names = this.client
			.sql("select name from " + this.users + " where id >= :first and id <= :last order by id")
			.params(Map.of("first", 1, "last", 2))
			.query(String.class)
			.list();
		assertThat(names).succeedsWithin(WAIT).isEqualTo(List.of("ada", "alan"));
	}

	@Test
	void namedIterableParameterExpandsToAList() {
		CompletableFuture<List<String>> names = this.client
			.sql("select name from " + this.users + " where id in (:ids) order by id")
			.param("ids", List.of(1, 3))
			.query(String.class)
			.list();
		assertThat(names).succeedsWithin(WAIT).isEqualTo(List.of("ada", "grace"));
	}

	@Test
	void paramSourceReadsRecordComponents() {
		CompletableFuture<User> user = this.client.sql("select id, name from " + this.users + " where name = :name")
			.paramSource(new Criteria("grace"))
			.query(User.class)
			.single();
		assertThat(user).succeedsWithin(WAIT).isEqualTo(new User(3, "grace"));
	}

	@Test
	void paramSourceReadsBeanProperties() {
		UserBean bean = new UserBean();
		bean.setName("hedy");
		bean.setDisplayName("Hedy Lamarr");
		CompletableFuture<Integer> inserted = this.client
			.sql("insert into " + this.users + " (name, display_name) values (:name, :displayName)")
			.paramSource(bean)
			.update();
		assertThat(inserted).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(this.blocking.queryForObject("select display_name from " + this.users + " where name = 'hedy'",
				String.class))
			.isEqualTo("Hedy Lamarr");
	}

	@Test
	void paramSourceTakesMapsAndSqlParameterSources() {
		CompletableFuture<Long> fromMap = this.client.sql("select id from " + this.users + " where name = :name")
			.paramSource(Map.of("name", "alan"))
			.query(Long.class)
			.single();
		CompletableFuture<Long> fromSource = this.client.sql("select id from " + this.users + " where name = :name")
			.paramSource(new MapSqlParameterSource("name", "grace"))
			.query(Long.class)
			.single();
		assertThat(fromMap).succeedsWithin(WAIT).isEqualTo(2L);
		assertThat(fromSource).succeedsWithin(WAIT).isEqualTo(3L);
	}

	@Test
	void optionalWhenOneRowHasIt() {
		assertThat(this.client.sql("select name from " + this.users + " where id = :id")
			.param("id", 2)
			.query(String.class)
			.optional()).succeedsWithin(WAIT).isEqualTo(Optional.of("alan"));
	}

	@Test
	void optionalWhenNoRowIsEmpty() {
		assertThat(this.client.sql("select name from " + this.users + " where id = :id")
			.param("id", 99)
			.query(String.class)
			.optional()).succeedsWithin(WAIT).isEqualTo(Optional.empty());
	}

	@Test
	void optionalWhenTwoRowsFailsWithIncorrectResultSize() {
		CompletableFuture<Optional<String>> name = this.client.sql("select name from " + this.users + " where id < :id")
			.param("id", 3)
			.query(String.class)
			.optional();
		assertThat(failure(name)).isInstanceOfSatisfying(IncorrectResultSizeDataAccessException.class,
				(ex) -> assertThat(ex.getActualSize()).isEqualTo(2));
	}

	@Test
	void singleWhenNoRowFailsWithEmptyResult() {
		CompletableFuture<User> user = this.client.sql("select id, name from " + this.users + " where id = :id")
			.param("id", 99)
			.query(User.class)
			.single();
		assertThat(failure(user)).isInstanceOfSatisfying(EmptyResultDataAccessException.class,
				(ex) -> assertThat(ex.getActualSize()).isZero());
	}

	@Test
	void singleWhenTwoRowsFailsWithIncorrectResultSize() {
		CompletableFuture<User> user = this.client.sql("select id, name from " + this.users + " where id <> :id")
			.param("id", 99)
			.query(User.class)
			.single();
		assertThat(failure(user)).isInstanceOfSatisfying(IncorrectResultSizeDataAccessException.class, (ex) -> {
			assertThat(ex).isNotInstanceOf(EmptyResultDataAccessException.class);
			assertThat(ex.getExpectedSize()).isEqualTo(1);
			assertThat(ex.getActualSize()).isEqualTo(3);
		});
	}

	@Test
	void singleWhenTheRowMapsToNullFailsWithTypeMismatch() {
		CompletableFuture<String> displayName = this.client
			.sql("select display_name from " + this.users + " where name = :name")
			.param("name", "grace")
			.query(String.class)
			.single();
		assertThat(failure(displayName)).isInstanceOf(TypeMismatchDataAccessException.class);
	}

	@Test
	void optionalWhenTheRowMapsToNullIsEmpty() {
		assertThat(this.client.sql("select display_name from " + this.users + " where name = :name")
			.param("name", "grace")
			.query(String.class)
			.optional()).succeedsWithin(WAIT).isEqualTo(Optional.empty());
	}

	@Test
	void updateReturnsTheAffectedRowCount() {
		CompletableFuture<Integer> updated = this.client
			.sql("update " + this.users + " set display_name = :display where display_name is not null")
			.param("display", "pioneer")
			.update();
		assertThat(updated).succeedsWithin(WAIT).isEqualTo(2);
		assertThat(this.blocking
			.queryForObject("select count(*) from " + this.users + " where display_name = 'pioneer'", Integer.class))
			.isEqualTo(2);
	}

	@Test
	void updateWithKeyHolderFillsItBeforeTheFutureCompletes() {
		KeyHolder keys = new GeneratedKeyHolder();
		CompletableFuture<Integer> inserted = this.client.sql("insert into " + this.users + " (name) values (:name)")
			.param("name", "barbara")
			.update(keys);
		assertThat(inserted).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(keys.getKeys()).containsEntry(this.database.generatedKeyColumn("id"), this.database.generatedKey(4));
	}

	@Test
	void updateWithKeyHolderAndColumnNamesReturnsThoseColumns() {
		KeyHolder keys = new GeneratedKeyHolder();
		CompletableFuture<Integer> inserted = this.client.sql("insert into " + this.users + " (name) values (?)")
			.param("barbara")
			.update(keys, "id");
		assertThat(inserted).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(keys.getKey()).isEqualTo(this.database.generatedKey(4));
	}

	@Test
	void databaseFailureCompletesTheFutureWithSpringsTranslation() {
		CompletableFuture<List<Long>> ids = this.client.sql("select no_such_column from " + this.users)
			.query(Long.class)
			.list();
		assertThat(failure(ids)).isInstanceOf(BadSqlGrammarException.class);
	}

	@Test
	void sqlWithoutTextThrows() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.client.sql(" ")).withMessageContaining("'sql'");
	}

	@Test
	void missingNamedParameterThrowsBeforeAnythingIsQueued() {
		EngineStats before = this.engine.stats();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sql("select id from " + this.users + " where id = :id and name = :name")
				.param("id", 1)
				.query(Long.class)
				.list())
			.withMessageContaining("'name'")
			.withMessageContaining("[id]");
		EngineStats after = this.engine.stats();
		assertThat(after.completed() + after.failed()).isEqualTo(before.completed() + before.failed());
	}

	@Test
	void namedParameterWithoutAnyValueThrows() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sql("delete from " + this.users + " where id = :id").update())
			.withMessageContaining("'id'");
	}

	@Test
	void namedParameterMissingFromBeanSourceThrows() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sql("select id from " + this.users + " where name = :name and id = :id")
				.paramSource(new Criteria("ada"))
				.query(Long.class)
				.single())
			.withMessageContaining("'id'");
	}

	@Test
	void positionalAfterNamedParameterThrows() {
		AsyncJdbcClient.StatementSpec spec = this.client.sql("select id from " + this.users).param("id", 1);
		assertThatIllegalStateException().isThrownBy(() -> spec.param(2))
			.withMessageContaining("either named or positional");
	}

	@Test
	void namedAfterPositionalParameterThrows() {
		AsyncJdbcClient.StatementSpec spec = this.client.sql("select id from " + this.users).param(1);
		assertThatIllegalStateException().isThrownBy(() -> spec.param("id", 2))
			.withMessageContaining("either named or positional");
		assertThatIllegalStateException().isThrownBy(() -> spec.params(Map.of("id", 2)));
		assertThatIllegalStateException().isThrownBy(() -> spec.paramSource(new Criteria("ada")));
	}

	@Test
	void namedParameterAndParameterSourceTogetherThrow() {
		AsyncJdbcClient.StatementSpec spec = this.client.sql("select id from " + this.users).param("id", 1);
		assertThatIllegalStateException().isThrownBy(() -> spec.paramSource(new Criteria("ada")))
			.withMessageContaining("parameter source");
	}

	@Test
	void positionalValuesForNamedPlaceholdersThrow() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sql("select id from " + this.users + " where id = :id")
				.param(1)
				.query(Long.class)
				.single())
			.withMessageContaining("[id]");
	}

	@Test
	void namedValuesForQuestionMarkPlaceholdersThrow() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sql("select id from " + this.users + " where id = ?")
				.param("id", 1)
				.query(Long.class)
				.single())
			.withMessageContaining("'?'");
	}

	@Test
	void positionalValueCountThatDoesNotFitThrows() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sql("select id from " + this.users + " where id = ? or id = ?")
				.param(1)
				.query(Long.class)
				.list())
			.withMessageContaining("2 '?' placeholder(s) but 1 argument(s)");
	}

	@Test
	void positionalIterableThrows() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sql("select id from " + this.users + " where id in (?)").param(List.of(1, 2)))
			.withMessageContaining("Iterable");
	}

	@Test
	void inTransactionCommitsWhenTheWorkCompletes() {
		CompletableFuture<Long> countInside = this.client
			.inTransaction((tx) -> tx.sql("insert into " + this.users + " (name) values (:name)")
				.param("name", "edsger")
				.update()
				.thenCompose((inserted) -> tx.sql("select count(*) from " + this.users).query(Long.class).single()));
		assertThat(countInside).succeedsWithin(WAIT).isEqualTo(4L);
		assertThat(userCount()).isEqualTo(4);
	}

	@Test
	void inTransactionRollsBackWhenTheWorkFails() {
		CompletableFuture<User> result = this.client
			.inTransaction((tx) -> tx.sql("insert into " + this.users + " (name) values (:name)")
				.param("name", "edsger")
				.update()
				.thenCompose((inserted) -> tx.sql("select id, name from " + this.users + " where id = :id")
					.param("id", 99)
					.query(User.class)
					.single()));
		assertThat(failure(result)).isInstanceOf(EmptyResultDataAccessException.class);
		assertThat(userCount()).isEqualTo(3);
	}

	@Test
	void inTransactionOnATransactionClientNestsBySavepoint() {
		CompletableFuture<Void> result = this.client
			.inTransaction((tx) -> tx.sql("insert into " + this.users + " (name) values ('outer')")
				.update()
				.thenCompose((outer) -> tx.inTransaction((nested) -> nested
					.sql("insert into " + this.users + " (name) values ('inner')")
					.update()
					.thenCompose((inner) -> CompletableFuture.<Void>failedFuture(new IllegalStateException("undo")))))
				.handle((value, failure) -> null));
		assertThat(result).succeedsWithin(WAIT);
		assertThat(this.blocking.queryForList("select name from " + this.users + " where id > 3", String.class))
			.containsExactly("outer");
	}

	@Test
	void withTimeoutGivesEachCallADeadline() {
		CompletableFuture<Long> count = this.client.withTimeout(Duration.ofNanos(1))
			.sql("select count(*) from " + this.users)
			.query(Long.class)
			.single();
		assertThat(failure(count)).isInstanceOf(QueueTimeoutException.class).hasMessageContaining("withTimeout");
		assertThat(this.client.withTimeout(Duration.ofMinutes(1))
			.sql("select count(*) from " + this.users)
			.query(Long.class)
			.single()).succeedsWithin(WAIT).isEqualTo(3L);
	}

	@Test
	void withTimeoutFailsARunningStatementWithStatementTimeout() {
		// Long enough for slow dispatch to reach the database, far shorter than the
		// query.
		CompletableFuture<List<Object>> endless = this.client.withTimeout(Duration.ofSeconds(3))
			.sql(this.database.longQuery("client"))
			.query((rs, row) -> rs.getObject(1))
			.list();
		assertThat(failure(endless)).isInstanceOf(StatementTimeoutException.class).hasMessageContaining("withTimeout");
		await().atMost(WAIT).until(() -> this.dataSource.getHikariPoolMXBean().getActiveConnections() == 0);
		assertThat(this.client.sql("select count(*) from " + this.users).query(Long.class).single())
			.succeedsWithin(WAIT)
			.isEqualTo(3L);
	}

	@Test
	void withTimeoutInsideTransactionBoundsEachCallAndRollsBack() {
		CompletableFuture<List<User>> result = this.client
			.inTransaction((tx) -> tx.sql("insert into " + this.users + " (name) values ('late')")
				.update()
				.thenCompose((inserted) -> tx.withTimeout(Duration.ofNanos(1))
					.sql("select id, name from " + this.users)
					.query(User.class)
					.list()));
		assertThat(failure(result)).isInstanceOf(QueueTimeoutException.class);
		assertThat(userCount()).isEqualTo(3);
	}

	@Test
	void createFromTemplateSharesItsJdbcTemplateSettingsAndDeadline() {
		JdbcTemplate oneRow = new JdbcTemplate(this.dataSource);
		oneRow.setMaxRows(1);
		AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine, oneRow);
		assertThat(AsyncJdbcClient.create(template).sql("select name from " + this.users).query(String.class).list())
			.succeedsWithin(WAIT)
			.isEqualTo(List.of("ada"));
		CompletableFuture<List<String>> late = AsyncJdbcClient.create(template.withTimeout(Duration.ofNanos(1)))
			.sql("select name from " + this.users)
			.query(String.class)
			.list();
		assertThat(failure(late)).isInstanceOf(QueueTimeoutException.class);
	}

	private Integer userCount() {
		return this.blocking.queryForObject("select count(*) from " + this.users, Integer.class);
	}

	private static Throwable failure(CompletableFuture<?> future) {
		assertThat(future).failsWithin(WAIT);
		return future
			.handle((value, ex) -> (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex)
			.join();
	}

	record User(long id, String name) {
	}

	record Profile(long id, String name, @Nullable String displayName) {
	}

	record Criteria(String name) {
	}

	static class UserBean {

		private @Nullable Long id;

		private @Nullable String name;

		private @Nullable String displayName;

		public @Nullable Long getId() {
			return this.id;
		}

		public void setId(@Nullable Long id) {
			this.id = id;
		}

		public @Nullable String getName() {
			return this.name;
		}

		public void setName(@Nullable String name) {
			this.name = name;
		}

		public @Nullable String getDisplayName() {
			return this.displayName;
		}

		public void setDisplayName(@Nullable String displayName) {
			this.displayName = displayName;
		}

	}

}
