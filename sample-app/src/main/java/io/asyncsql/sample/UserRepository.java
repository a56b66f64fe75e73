package io.asyncsql.sample;

import java.util.List;

import io.asyncsql.AsyncJdbcClient;
import io.asyncsql.reactor.ReactiveJdbcClient;
import io.asyncsql.reactor.ReactiveJdbcTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.aot.hint.annotation.RegisterReflectionForBinding;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@code users} and {@code user_audit} tables, through the auto-configured
 * {@link AsyncJdbcClient}, {@link ReactiveJdbcClient} and {@link ReactiveJdbcTemplate}.
 * <p>
 * Every method is cold, as a reactive repository should be: nothing reaches the engine
 * before the result is subscribed to ({@code Mono.fromFuture(Supplier)}), and cancelling
 * the subscription cancels the future, which removes a queued statement or cancels a
 * running one. Failures arrive as Spring's
 * {@link org.springframework.dao.DataAccessException}s, such as
 * {@link org.springframework.dao.DuplicateKeyException} for a name that is taken.
 * <p>
 * {@code query(User.class)} maps columns to the record's components by reflection:
 * {@link RegisterReflectionForBinding @RegisterReflectionForBinding} declares that
 * reflection for Spring AOT, so the mapping works in a native image too.
 *
 * @since 0.1.0
 */
@Repository
@RegisterReflectionForBinding({ User.class, NameChange.class })
public class UserRepository {

	private final AsyncJdbcClient client;

	private final ReactiveJdbcClient reactiveClient;

	private final ReactiveJdbcTemplate reactive;

	/**
	 * Create a repository.
	 * @param client the client for single statements
	 * @param reactiveClient the Reactor client for the transactional rename
	 * @param reactive the Reactor template for streamed queries
	 */
	public UserRepository(AsyncJdbcClient client, ReactiveJdbcClient reactiveClient, ReactiveJdbcTemplate reactive) {
		this.client = client;
		this.reactiveClient = reactiveClient;
		this.reactive = reactive;
	}

	/**
	 * Stream every user, in id order, as the subscriber demands them: rows are fetched
	 * from the database as requested, never all held at once.
	 * @return the users
	 */
	public Flux<User> findAll() {
		return this.reactive.query("select id, name from users order by id",
				(rs, rowNum) -> new User(rs.getLong("id"), rs.getString("name")));
	}

	/**
	 * Find a user by id.
	 * @param id the user's id
	 * @return the user, or empty when there is none with that id
	 */
	public Mono<User> findById(long id) {
		return Mono
			.fromFuture(() -> this.client.sql("select id, name from users where id = :id")
				.param("id", id)
				.query(User.class)
				.optional())
			.flatMap(Mono::justOrEmpty);
	}

	/**
	 * Insert a user.
	 * @param name the user's name
	 * @return the user, with its generated id
	 */
	public Mono<User> create(String name) {
		return Mono.fromFuture(() -> {
			KeyHolder keyHolder = new GeneratedKeyHolder();
			return this.client.sql("insert into users (name) values (:name)")
				.param("name", name)
				.update(keyHolder, "id")
				.thenApply((rows) -> new User(generatedId(keyHolder), name));
		});
	}

	/**
	 * Delete a user and, by cascade, its audit rows.
	 * @param id the user's id
	 * @return whether there was such a user
	 */
	public Mono<Boolean> deleteById(long id) {
		return Mono.fromFuture(() -> this.client.sql("delete from users where id = :id").param("id", id).update())
			.map((rows) -> rows > 0);
	}

	/**
	 * Rename a user and record the change in {@code user_audit}, in one transaction: both
	 * happen or neither does. The transaction is Spring's own: {@code @Transactional} on
	 * a method that returns a {@code Mono} runs in an async-sql transaction, which the
	 * {@link ReactiveJdbcClient} statements below join through the subscriber's context.
	 * @param id the user's id
	 * @param newName the new name
	 * @return the renamed user, or empty when there is none with that id
	 */
	@Transactional
	public Mono<User> rename(long id, String newName) {
		return this.reactiveClient.sql("select name from users where id = :id for update")
			.param("id", id)
			.query(String.class)
			.optional()
			// The audit row goes in first: when the rename then fails (the name is
			// taken), the rollback has to take the audit row with it.
			.flatMap((oldName) -> this.reactiveClient
				.sql("insert into user_audit (user_id, old_name, new_name) values (:id, :oldName, :newName)")
				.param("id", id)
				.param("oldName", oldName)
				.param("newName", newName)
				.update())
			.flatMap((audited) -> this.reactiveClient.sql("update users set name = :name where id = :id")
				.param("name", newName)
				.param("id", id)
				.update())
			.map((renamed) -> new User(id, newName));
	}

	/**
	 * Find the renames of a user, oldest first.
	 * @param id the user's id
	 * @return the renames, empty when there are none or no such user
	 */
	public Mono<List<NameChange>> findRenames(long id) {
		return Mono.fromFuture(() -> this.client
			.sql("select old_name, new_name, changed_at from user_audit where user_id = :id order by id")
			.param("id", id)
			.query(NameChange.class)
			.list());
	}

	private static long generatedId(KeyHolder keyHolder) {
		Number key = keyHolder.getKey();
		if (key == null) {
			throw new IllegalStateException("The database returned no generated id");
		}
		return key.longValue();
	}

}
