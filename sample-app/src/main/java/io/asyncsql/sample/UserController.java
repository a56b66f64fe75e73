package io.asyncsql.sample;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The users API. Errors are answered as RFC 9457 problem details by
 * {@link ApiExceptionHandler}.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("/users")
public class UserController {

	private final UserRepository users;

	/**
	 * Create the controller.
	 * @param users the repository
	 */
	public UserController(UserRepository users) {
		this.users = users;
	}

	/**
	 * List every user: a JSON array, or one JSON object per line when
	 * {@code application/x-ndjson} is asked for.
	 * @return the users, in id order
	 */
	@GetMapping(produces = { MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_NDJSON_VALUE })
	public Flux<User> list() {
		return this.users.findAll();
	}

	/**
	 * Get one user.
	 * @param id the user's id
	 * @return the user; 404 when there is none
	 */
	@GetMapping("/{id}")
	public Mono<User> get(@PathVariable long id) {
		return this.users.findById(id).switchIfEmpty(Mono.error(() -> new UserNotFoundException(id)));
	}

	/**
	 * Create a user.
	 * @param request the user's name
	 * @return the user, with its location; 400 when the name is missing or too long, 409
	 * when it is taken
	 */
	@PostMapping
	public Mono<ResponseEntity<User>> create(@Valid @RequestBody UserRequest request) {
		String name = request.requiredName();
		return this.users.create(name)
			.onErrorMap(DuplicateKeyException.class, (ex) -> new NameTakenException(name, ex))
			.map((user) -> ResponseEntity.created(URI.create("/users/" + user.id())).body(user));
	}

	/**
	 * Delete a user.
	 * @param id the user's id
	 * @return nothing; 404 when there is no such user
	 */
	@DeleteMapping("/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	public Mono<Void> delete(@PathVariable long id) {
		return this.users.deleteById(id)
			.flatMap((deleted) -> deleted ? Mono.<Void>empty() : Mono.error(new UserNotFoundException(id)));
	}

	/**
	 * Rename a user and write an audit row, in one transaction.
	 * @param id the user's id
	 * @param request the new name
	 * @return the renamed user; 400 when the name is missing or too long, 404 when there
	 * is no such user, 409 (and nothing changed) when the name is taken
	 */
	@PutMapping("/{id}/name")
	public Mono<User> rename(@PathVariable long id, @Valid @RequestBody UserRequest request) {
		String name = request.requiredName();
		return this.users.rename(id, name)
			.onErrorMap(DuplicateKeyException.class, (ex) -> new NameTakenException(name, ex))
			.switchIfEmpty(Mono.error(() -> new UserNotFoundException(id)));
	}

	/**
	 * List the renames of a user, oldest first.
	 * @param id the user's id
	 * @return the renames; empty when there are none or no such user
	 */
	@GetMapping("/{id}/renames")
	public Mono<List<NameChange>> renames(@PathVariable long id) {
		return this.users.findRenames(id);
	}

}
