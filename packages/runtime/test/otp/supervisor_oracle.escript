#!/usr/bin/env escript
%% -*- erlang -*-
%%! +S 1
%%
%% Quiesce supervisor oracle: runs supervisor scenarios on OTP's own
%% `supervisor` module and prints one trace per scenario. The TypeScript
%% runtime (packages/runtime) must produce the same traces for the same
%% scenarios; see scenario.ts / oracle.ts next to this file.
%%
%% Usage:  escript supervisor_oracle.escript FILE      (or "-" for stdin)
%%
%% Input: Erlang terms, one per scenario, each ended by a dot:
%%   {scenario, Name, Tree, Steps}.
%% Name  : atom or string.
%% Tree  : {sup, Id, Flags, ChildSpecs, SpecOfSelf}
%%           Flags = #{strategy, intensity, period, auto_shutdown}; missing
%%                   keys get OTP's defaults (one_for_one, 1, 5, never).
%%           SpecOfSelf = #{restart, shutdown, significant} (ignored for the
%%                   root); missing keys get OTP's defaults.
%%         {worker, Id, #{restart, shutdown, significant, starts}}
%%           starts = [ok | ignore | error]: outcomes of the 1st, 2nd, ...
%%                   start attempts of this child (restarts included); once
%%                   the list is exhausted every start is ok.
%% Steps : [{crash, PathString, Reason} | {wait, Seconds}]
%%           Reason = normal | shutdown | {shutdown, Atom} | boom | kill ...
%%           A worker crash makes the worker's gen_server return
%%           {stop, Reason, State} (kill: exit(Pid, kill)).
%%           A supervisor crash is exit(Pid, Reason). Supervisors trap exits
%%           and ignore exit signals from processes other than their parent,
%%           so for non-root supervisors only `kill` is supported (any other
%%           reason records `unsupported <path> <reason>` and is skipped).
%%           The root's parent is the driver, so every reason works there.
%%           {wait, Seconds} really sleeps (period-expiry scenarios only).
%%
%% Output, per scenario:
%%   scenario <Name>
%%   <trace line>*
%%   end
%% Trace lines:
%%   start <path>               a worker finished init / a supervisor's
%%                              start_link returned {ok, Pid} (so after all
%%                              of its children started)
%%   ignore <path>              a worker's start function returned ignore
%%   start_error <path>         a worker's start function returned
%%                              {error, start_failed}
%%   start_failed <path> <R>    a supervisor's start_link returned
%%                              {error, R} (root included)
%%   down <path> <R>            a started process died with reason R
%%   noproc <path>              crash step for a path with no live process
%%   unsupported <path> <R>     crash step with a non-kill reason aimed at a
%%                              non-root supervisor (skipped)
%%   error <what>               the oracle itself failed (timeout, bad input)
%% Reasons are printed with ~w: normal, shutdown, killed, boom,
%% {shutdown,x}, {shutdown,{failed_to_start_child,w1,start_failed}}.
%%
%% Determinism: one scheduler; after every crash the driver waits for the
%% target's DOWN (and, when the target is a supervisor, for the DOWN of every
%% process below it), then settles each supervisor on the path from the
%% target's parent up to the root, bottom-up, with synchronous
%% supervisor:which_children/1 calls, repeating a call while that supervisor
%% still lists a child as `restarting` (a try_again_restart cast is pending)
%% or lists a child pid that is already dead (its 'EXIT' not yet handled).
%% No sleeps except the explicit {wait, S} steps.
%%
%% Caveat: when a supervisor dies by `kill` (or is terminated with
%% brutal_kill), its own children receive the exit signal `killed`
%% concurrently; their `down ... killed` lines may interleave with other
%% activity in an order OTP does not specify.
-module(supervisor_oracle).
-mode(compile).

-export([main/1]).
%% start functions and callbacks (gen_server for workers, supervisor for sups)
-export([start_worker/2, start_sup/3]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2,
         code_change/3]).
%% collector
-export([collector_init/1]).

-define(SCENARIO_TIMEOUT_MS, 60000).

%%--------------------------------------------------------------------------
%% main
%%--------------------------------------------------------------------------

main([Source]) ->
    process_flag(trap_exit, true),
    %% Supervisor/crash reports would flood stderr; traces are the output.
    ok = logger:set_primary_config(level, none),
    case read_terms(Source) of
        {ok, Terms} ->
            run_all(Terms),
            halt(0);
        {error, Why} ->
            io:format(standard_error, "supervisor_oracle: cannot read ~ts: ~tp~n",
                      [Source, Why]),
            halt(2)
    end;
main(_) ->
    io:format(standard_error,
              "usage: supervisor_oracle.escript FILE|-~n", []),
    halt(2).

read_terms("-") ->
    parse_terms(read_stdin([]));
read_terms(File) ->
    case file:read_file(File) of
        {ok, Bin} -> parse_terms(unicode:characters_to_list(Bin));
        {error, _} = E -> E
    end.

read_stdin(Acc) ->
    ok = io:setopts(standard_io, [binary]),
    case io:get_chars(standard_io, '', 65536) of
        eof -> unicode:characters_to_list(lists:reverse(Acc));
        {error, _} -> unicode:characters_to_list(lists:reverse(Acc));
        Data -> read_stdin([Data | Acc])
    end.

parse_terms(String) ->
    parse_terms(String, 1, []).

parse_terms(String, Line, Acc) ->
    case erl_scan:tokens([], String, Line) of
        {done, {ok, Tokens, EndLine}, Rest} ->
            case erl_parse:parse_term(Tokens) of
                {ok, Term} -> parse_terms(Rest, EndLine, [Term | Acc]);
                {error, E} -> {error, {parse, E}}
            end;
        {done, {eof, _}, _} ->
            {ok, lists:reverse(Acc)};
        {done, {error, E, _}, _} ->
            {error, {scan, E}};
        {more, Cont} ->
            case erl_scan:tokens(Cont, eof, Line) of
                {done, {eof, _}, _} -> {ok, lists:reverse(Acc)};
                {done, {ok, _, _}, _} -> {error, missing_final_dot};
                {done, {error, E, _}, _} -> {error, {scan, E}};
                _ -> {error, truncated_input}
            end
    end.

run_all(Terms) ->
    lists:foreach(fun run_term/1, Terms).

run_term({scenario, Name, Tree, Steps}) ->
    Lines = run_isolated(Tree, Steps),
    io:put_chars(standard_io,
                 [<<"scenario ">>, to_text(Name), $\n,
                  [[L, $\n] || L <- Lines],
                  <<"end\n">>]);
run_term(Other) ->
    io:put_chars(standard_io,
                 ["scenario ?\n", "error ",
                  io_lib:format("~w", [{bad_scenario_term, Other}]), "\nend\n"]).

to_text(A) when is_atom(A) -> atom_to_list(A);
to_text(B) when is_binary(B) -> B;
to_text(L) when is_list(L) -> unicode:characters_to_binary(L);
to_text(T) -> io_lib:format("~w", [T]).

%% Every scenario runs in a fresh driver process with a fresh collector, so
%% start counts, monitors, links and stray messages never leak across.
run_isolated(Tree, Steps) ->
    Self = self(),
    Timeout = ?SCENARIO_TIMEOUT_MS + 1000 * total_wait(Steps),
    {Driver, Mon} =
        spawn_monitor(fun() -> Self ! {self(), done, drive(Tree, Steps)} end),
    receive
        {Driver, done, Lines} ->
            erlang:demonitor(Mon, [flush]),
            Lines;
        {'DOWN', Mon, process, Driver, Reason} ->
            [["error ", io_lib:format("~w", [{driver_crashed, Reason}])]]
    after Timeout ->
            exit(Driver, kill),
            receive {'DOWN', Mon, process, Driver, _} -> ok end,
            [<<"error timeout">>]
    end.

total_wait(Steps) when is_list(Steps) ->
    lists:sum([S || {wait, S} <- Steps, is_number(S)]);
total_wait(_) ->
    0.

%%--------------------------------------------------------------------------
%% driver
%%--------------------------------------------------------------------------

drive(Tree, Steps) ->
    process_flag(trap_exit, true),
    Index = index_tree(Tree),
    Outcomes = maps:from_list([{P, S} || {P, {worker, S}} <- maps:to_list(Index)]),
    Coll = spawn_link(?MODULE, collector_init, [Outcomes]),
    Root = case start_sup(Coll, "root", Tree) of
               {ok, Pid} ->
                   RootMon = monitor(process, Pid),
                   run_steps(Steps, #{coll => Coll, index => Index, root => Pid,
                                      root_mon => RootMon}),
                   Pid;
               _Failed ->
                   %% start_failed already recorded by start_sup/3
                   undefined
           end,
    Lines = coll_call(Coll, finish),
    shutdown_everything(Coll, Root),
    Lines.

%% Recording stopped in `finish`; now take the tree down. The driver is the
%% root's parent, so exit(Root, shutdown) runs the supervisor's ordinary
%% shutdown; every process below it dies with it (links). Wait for all of
%% them, then drop the collector.
shutdown_everything(Coll, Root) ->
    Live = coll_call(Coll, live_pids),
    Mons = [{P, monitor(process, P)} || P <- Live],
    case is_pid(Root) of
        true -> exit(Root, shutdown);
        false -> ok
    end,
    lists:foreach(fun({P, M}) ->
                          receive {'DOWN', M, process, P, _} -> ok end
                  end, Mons),
    unlink(Coll),
    exit(Coll, kill).

run_steps([], _Ctx) ->
    ok;
run_steps([Step | Rest], Ctx = #{root := Root}) ->
    do_step(Step, Ctx),
    case is_process_alive(Root) of
        true ->
            run_steps(Rest, Ctx);
        false ->
            %% The root died: make sure its down is recorded, then stop.
            #{root_mon := RootMon} = Ctx,
            receive {'DOWN', RootMon, process, Root, _} -> ok end,
            coll_call(maps:get(coll, Ctx), sync),
            ok
    end.

do_step({wait, Seconds}, #{coll := Coll}) ->
    timer:sleep(round(Seconds * 1000)),
    coll_call(Coll, sync);
do_step({crash, Path0, Reason}, Ctx = #{coll := Coll, index := Index}) ->
    Path = to_path(Path0),
    case coll_call(Coll, {lookup, Path}) of
        undefined ->
            coll_call(Coll, {record, ["noproc ", Path]});
        Pid ->
            Kind = case maps:find(Path, Index) of
                       {ok, {worker, _}} -> worker;
                       _ -> sup
                   end,
            crash(Kind, Path, Pid, Reason, Ctx)
    end;
do_step(Other, #{coll := Coll}) ->
    coll_call(Coll, {record, ["error ", io_lib:format("~w", [{bad_step, Other}])]}).

crash(sup, Path, _Pid, Reason, #{coll := Coll})
  when Path =/= "root", Reason =/= kill ->
    coll_call(Coll, {record, ["unsupported ", Path, " ", fmt(Reason)]});
crash(Kind, Path, Pid, Reason, #{coll := Coll}) ->
    Ancestors = [coll_call(Coll, {lookup, A}) || A <- ancestors(Path)],
    Below = case Kind of
                sup -> coll_call(Coll, {descendants, Path});
                worker -> []
            end,
    Mons = [{P, monitor(process, P)} || P <- [Pid | Below]],
    case {Kind, Reason} of
        {_, kill} -> exit(Pid, kill);
        {worker, _} -> Pid ! {'$oracle_crash', Reason};
        {sup, _} -> exit(Pid, Reason)   % root only: we are its parent
    end,
    lists:foreach(fun({P, M}) ->
                          receive {'DOWN', M, process, P, _} -> ok end
                  end, Mons),
    lists:foreach(fun settle/1, [A || A <- Ancestors, is_pid(A)]),
    coll_call(Coll, sync).

%% "root/s1/w2" -> ["root/s1", "root"] (parent first, root last).
ancestors(Path) ->
    Parts = string:split(Path, "/", all),
    N = length(Parts),
    [lists:flatten(lists:join("/", lists:sublist(Parts, K)))
     || K <- lists:seq(N - 1, 1, -1)].

%% Wait until a supervisor has handled everything caused so far: a
%% synchronous call is answered only after the messages queued before it
%% (the child's 'EXIT'); repeat while a try_again_restart is pending
%% (a child listed as `restarting`) or a listed child is already dead.
settle(Sup) ->
    case catch supervisor:which_children(Sup) of
        Children when is_list(Children) ->
            Pending = lists:any(
                        fun({_, restarting, _, _}) -> true;
                           ({_, P, _, _}) when is_pid(P) -> not is_process_alive(P);
                           (_) -> false
                        end, Children),
            case Pending of
                true -> settle(Sup);
                false -> ok
            end;
        _ ->
            ok   % the supervisor is gone (it gave up, or was shut down)
    end.

to_path(P) when is_list(P) -> lists:flatten(P);
to_path(P) when is_binary(P) -> binary_to_list(P);
to_path(P) when is_atom(P) -> atom_to_list(P).

%% Path -> {worker, Starts} | sup
index_tree(Tree) ->
    index_node("root", Tree, #{}).

index_node(Path, {sup, _Id, _Flags, Children, _Self}, Acc0) ->
    lists:foldl(fun(C, Acc) -> index_node(child_path(Path, C), C, Acc) end,
                Acc0#{Path => sup}, Children);
index_node(Path, {worker, _Id, Opts}, Acc) ->
    Acc#{Path => {worker, maps:get(starts, Opts, [])}}.

child_path(Parent, {_, Id, _}) -> Parent ++ "/" ++ id_text(Id);
child_path(Parent, {_, Id, _, _, _}) -> Parent ++ "/" ++ id_text(Id).

id_text(Id) when is_atom(Id) -> atom_to_list(Id);
id_text(Id) when is_list(Id) -> Id;
id_text(Id) -> lists:flatten(io_lib:format("~w", [Id])).

fmt(Term) -> io_lib:format("~w", [Term]).

%%--------------------------------------------------------------------------
%% start functions (run inside the parent supervisor / the driver)
%%--------------------------------------------------------------------------

start_sup(Coll, Path, {sup, _Id, Flags, Children, _Self}) ->
    Specs = [child_spec(Coll, Path, C) || C <- Children],
    case supervisor:start_link(?MODULE, {'$oracle_sup', Flags, Specs}) of
        {ok, Pid} ->
            ok = coll_call(Coll, {started, Path, Pid}),
            {ok, Pid};
        {error, Reason} = Error ->
            %% proc_lib leaves the dead process's 'EXIT' in our mailbox; a
            %% parent supervisor ignores it (unknown pid), the driver too.
            coll_call(Coll, {record, ["start_failed ", Path, " ", fmt(Reason)]}),
            Error;
        Other ->
            Other
    end.

start_worker(Coll, Path) ->
    case coll_call(Coll, {next_outcome, Path}) of
        ok -> gen_server:start_link(?MODULE, {'$oracle_worker', Coll, Path}, []);
        ignore -> ignore;
        error -> {error, start_failed}
    end.

child_spec(Coll, Parent, {worker, Id, Opts} = W) ->
    Path = child_path(Parent, W),
    maps:merge(#{id => Id,
                 start => {?MODULE, start_worker, [Coll, Path]},
                 type => worker,
                 modules => [?MODULE]},
               maps:with([restart, shutdown, significant], Opts));
child_spec(Coll, Parent, {sup, Id, _Flags, _Children, Self} = S) ->
    Path = child_path(Parent, S),
    maps:merge(#{id => Id,
                 start => {?MODULE, start_sup, [Coll, Path, S]},
                 type => supervisor,
                 modules => [?MODULE]},
               maps:with([restart, shutdown, significant], Self)).

%%--------------------------------------------------------------------------
%% callbacks: supervisor (init/1 only) and gen_server workers
%%--------------------------------------------------------------------------

init({'$oracle_sup', Flags, Specs}) ->
    {ok, {Flags, Specs}};
init({'$oracle_worker', Coll, Path}) ->
    process_flag(trap_exit, true),
    ok = coll_call(Coll, {started, Path, self()}),
    {ok, Path}.

handle_call(_Req, _From, State) ->
    {reply, ok, State}.

handle_cast(_Msg, State) ->
    {noreply, State}.

handle_info({'$oracle_crash', Reason}, State) ->
    {stop, Reason, State};
handle_info(_Msg, State) ->
    {noreply, State}.

terminate(_Reason, _State) ->
    ok.

code_change(_Old, State, _Extra) ->
    {ok, State}.

%%--------------------------------------------------------------------------
%% collector: records the trace; monitors every started process
%%--------------------------------------------------------------------------

coll_call(Coll, Req) ->
    Ref = monitor(process, Coll),
    Coll ! {'$coll', self(), Ref, Req},
    receive
        {Ref, Reply} ->
            erlang:demonitor(Ref, [flush]),
            Reply;
        {'DOWN', Ref, process, Coll, Reason} ->
            exit({collector_down, Reason})
    end.

collector_init(Outcomes) ->
    collector_loop(#{rec => true,
                     trace => [],
                     outcomes => Outcomes,   % Path => [ok|ignore|error]
                     count => #{},           % Path => attempts so far
                     live => #{},            % Path => Pid (latest instance)
                     mons => #{}}).          % MonRef => {Path, Pid}

collector_loop(S) ->
    receive
        {'$coll', From, Ref, Req} ->
            {Reply, S1} = handle_req(Req, catch_up(S)),
            From ! {Ref, Reply},
            collector_loop(S1);
        {'DOWN', MRef, process, _Pid, Reason} ->
            collector_loop(on_down(MRef, Reason, S))
    end.

%% Before acting on a request, record the downs of every tracked process
%% that is already dead, in mailbox order (each such DOWN is guaranteed to
%% arrive), then any other DOWN already queued. This keeps `down X` ahead of
%% a later `start X` even if signals from different senders race.
catch_up(S = #{mons := Mons}) ->
    Dead = maps:from_list([{M, true} || {M, {_, P}} <- maps:to_list(Mons),
                                        not is_process_alive(P)]),
    drain(await_dead(Dead, S)).

await_dead(Dead, S) when map_size(Dead) =:= 0 ->
    S;
await_dead(Dead, S = #{mons := Mons}) ->
    receive
        {'DOWN', MRef, process, _, Reason} when is_map_key(MRef, Mons) ->
            await_dead(maps:remove(MRef, Dead), on_down(MRef, Reason, S))
    end.

drain(S = #{mons := Mons}) ->
    receive
        {'DOWN', MRef, process, _, Reason} when is_map_key(MRef, Mons) ->
            drain(on_down(MRef, Reason, S))
    after 0 ->
            S
    end.

on_down(MRef, Reason, S = #{mons := Mons, live := Live}) ->
    case maps:take(MRef, Mons) of
        {{Path, Pid}, Mons1} ->
            Live1 = case Live of
                        #{Path := Pid} -> maps:remove(Path, Live);
                        _ -> Live
                    end,
            record(["down ", Path, " ", fmt(Reason)],
                   S#{mons := Mons1, live := Live1});
        error ->
            S
    end.

record(Line, S = #{rec := true, trace := T}) ->
    S#{trace := [iolist_to_binary(Line) | T]};
record(_Line, S) ->
    S.

handle_req({next_outcome, Path}, S = #{outcomes := O, count := C}) ->
    N = maps:get(Path, C, 0) + 1,
    Planned = maps:get(Path, O, []),
    Outcome = case N =< length(Planned) of
                  true -> lists:nth(N, Planned);
                  false -> ok
              end,
    S1 = S#{count := C#{Path => N}},
    S2 = case Outcome of
             ok -> S1;
             ignore -> record(["ignore ", Path], S1);
             error -> record(["start_error ", Path], S1)
         end,
    {Outcome, S2};
handle_req({started, Path, Pid}, S = #{live := Live, mons := Mons}) ->
    MRef = monitor(process, Pid),
    {ok, record(["start ", Path],
                S#{live := Live#{Path => Pid}, mons := Mons#{MRef => {Path, Pid}}})};
handle_req({record, Line}, S) ->
    {ok, record(Line, S)};
handle_req({lookup, Path}, S = #{live := Live}) ->
    {maps:get(Path, Live, undefined), S};
handle_req({descendants, Path}, S = #{live := Live}) ->
    Prefix = Path ++ "/",
    {[P || {K, P} <- maps:to_list(Live), lists:prefix(Prefix, K)], S};
handle_req(live_pids, S = #{mons := Mons}) ->
    {[P || {_, P} <- maps:values(Mons)], S};
handle_req(sync, S) ->
    {ok, S};
handle_req(finish, S = #{trace := T}) ->
    {lists:reverse(T), S#{rec := false}}.
