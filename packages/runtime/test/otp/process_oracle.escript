#!/usr/bin/env escript
%% -*- erlang -*-
%%! +S 1:1
%%
%% Quiesce process oracle: runs process and server scenarios on OTP's own
%% `erlang` BIFs and `gen_server` and prints one trace per scenario. The
%% TypeScript runtime (packages/runtime) must produce the same traces, compared
%% per (receiver, sender) pair; see process-scenario.ts next to this file.
%%
%% Usage:  escript process_oracle.escript FILE      (or "-" for stdin)
%%
%% Input: one term per scenario, each ended by a dot:
%%   {scenario, Name, Procs, Steps, NeverTimeout}.
%% Procs : [{Name, proc | server, Trap}]   plain processes (a receive loop)
%%         and gen_servers (started unlinked: each is its own parent), each
%%         trapping exits or not from before anything can reach it.
%% Steps : [{Actor, Ops}]   Actor = driver | a process name. The actor runs
%%         its Ops back to back (a process is told by the driver and runs them
%%         in its receive loop or handle_info); then the driver waits for the
%%         actor to finish or die and for the system to settle.
%% Ops   : {exit, T, Reason}            exit(T, Reason) (T may be the actor)
%%         {send, T, Tag}               T ! {msg, Me, Tag}
%%         {link, T} | {unlink, T}      link/1 (noproc error caught), unlink/1
%%         {monitor, T} | {demonitor, T}  demonitor/1 of every monitor of T
%%         {call, T, Req}               gen_server:call(T, Req, infinity);
%%                                      NeverTimeout ms for Req = never
%%         {cast_stop, T, Reason}       gen_server:cast(T, {stop, Reason})
%%         {exit_self, Reason}          exit(Reason) (in a server: from
%%                                      handle_info, so terminate runs)
%% Req   : echo | later (reply from a later message) | never | {crash, R}
%%         (exit(R) in handle_call) | {stop_reply, R} | {stop_noreply, R}
%%
%% Output, per scenario: `scenario <Name>`, trace lines, `end`. A trace line
%% is `<receiver> <sender> <what>` (see process-scenario.ts); reasons print
%% with ~w. `error <what>` means the oracle itself failed.
%%
%% Settling: one scheduler (+S 1:1); the driver yields until it is the only
%% active task (erlang:statistics(total_active_tasks_all) =:= 1), i.e. no
%% process has a signal to handle or code to run, and none is waiting for a
%% module to load. A `never` call waits out its real timeout while everything
%% else has settled long before.
-module(process_oracle).
-mode(compile).

-export([main/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2, code_change/3]).

-define(SCENARIO_TIMEOUT_MS, 30000).
-define(SETTLE_LIMIT, 1000000).

main([Source]) ->
    process_flag(trap_exit, true),
    %% Crash reports of stopping servers would flood stderr; traces are the output.
    ok = logger:set_primary_config(level, none),
    case read_terms(Source) of
        {ok, Terms} ->
            lists:foreach(fun run_term/1, Terms),
            halt(0);
        {error, Why} ->
            io:format(standard_error, "process_oracle: cannot read ~ts: ~tp~n", [Source, Why]),
            halt(2)
    end;
main(_) ->
    io:format(standard_error, "usage: process_oracle.escript FILE|-~n", []),
    halt(2).

read_terms("-") ->
    ok = io:setopts(standard_io, [binary]),
    parse(read_all(standard_io, []));
read_terms(File) ->
    case file:read_file(File) of
        {ok, Bin} -> parse(unicode:characters_to_list(Bin));
        {error, _} = E -> E
    end.

read_all(Io, Acc) ->
    case io:get_chars(Io, '', 65536) of
        eof -> unicode:characters_to_list(lists:reverse(Acc));
        {error, _} -> unicode:characters_to_list(lists:reverse(Acc));
        Data -> read_all(Io, [Data | Acc])
    end.

parse(String) -> parse(String, 1, []).

parse(String, Line, Acc) ->
    case erl_scan:tokens([], String, Line) of
        {done, {ok, Tokens, End}, Rest} ->
            case erl_parse:parse_term(Tokens) of
                {ok, Term} -> parse(Rest, End, [Term | Acc]);
                {error, E} -> {error, {parse, E}}
            end;
        {done, {eof, _}, _} -> {ok, lists:reverse(Acc)};
        {done, {error, E, _}, _} -> {error, {scan, E}};
        {more, _} -> {ok, lists:reverse(Acc)}
    end.

run_term({scenario, Name, Procs, Steps, NeverTimeout}) ->
    Lines = run_isolated(Procs, Steps, NeverTimeout),
    io:put_chars(standard_io, ["scenario ", Name, $\n, [[L, $\n] || L <- Lines], "end\n"]);
run_term(Other) ->
    io:put_chars(standard_io, ["scenario ?\nerror ", fmt({bad_scenario_term, Other}), "\nend\n"]).

%% A fresh driver per scenario, so nothing leaks across scenarios.
run_isolated(Procs, Steps, NeverTimeout) ->
    Self = self(),
    {Driver, Mon} = spawn_monitor(fun() -> Self ! {self(), done, drive(Procs, Steps, NeverTimeout)} end),
    receive
        {Driver, done, Lines} ->
            erlang:demonitor(Mon, [flush]),
            Lines;
        {'DOWN', Mon, process, Driver, Reason} ->
            [["error ", fmt({driver_crashed, Reason})]]
    after ?SCENARIO_TIMEOUT_MS ->
            exit(Driver, kill),
            receive {'DOWN', Mon, process, Driver, _} -> ok end,
            [<<"error timeout">>]
    end.

%%--------------------------------------------------------------------------
%% driver
%%--------------------------------------------------------------------------

drive(Procs, Steps, NeverTimeout) ->
    process_flag(trap_exit, true),
    Coll = spawn_link(fun() -> collector([]) end),
    Started = [{Name, start(Kind, Trap)} || {Name, Kind, Trap} <- Procs],
    Env = #{names => maps:from_list(Started),
            rev => maps:from_list([{self(), driver} | [{P, N} || {N, P} <- Started]]),
            coll => Coll,
            never => NeverTimeout},
    %% Every process has its environment before the first step.
    lists:foreach(fun({_, P}) ->
                          P ! {'$env', self(), Env},
                          receive {'$env_ok', P} -> ok end
                  end, Started),
    Mons = [{N, P, monitor(process, P)} || {N, P} <- Started],
    lists:foreach(fun(Step) -> step(Step, Env) end, Steps),
    settle(watched(Env)),
    Ends = [[atom_to_list(N), " end ", ending(P, M)] || {N, P, M} <- Mons],
    Lines = coll_call(Coll, finish),
    [exit(P, kill) || {_, P, _} <- Mons],
    [receive {'DOWN', M, process, P, _} -> ok end || {_, P, M} <- Mons, is_process_alive(P)],
    unlink(Coll),
    exit(Coll, kill),
    Lines ++ Ends.

ending(P, M) ->
    case is_process_alive(P) of
        true -> "alive";
        false -> receive {'DOWN', M, process, P, R} -> ["died ", fmt(R)] end
    end.

start(proc, Trap) ->
    Self = self(),
    P = spawn(fun() ->
                      process_flag(trap_exit, Trap),
                      Self ! {'$up', self()},
                      receive {'$env', D, Env} -> D ! {'$env_ok', self()} end,
                      proc_loop(name_of(Env, self()), Env)
              end),
    receive {'$up', P} -> P end;
start(server, Trap) ->
    {ok, P} = gen_server:start(?MODULE, Trap, []),
    P.

step({driver, Ops}, Env) ->
    run_ops(driver, Env, Ops),
    settle(watched(Env));
step({Actor, Ops}, Env = #{names := Names}) ->
    P = maps:get(Actor, Names),
    case is_process_alive(P) of
        false ->
            ok;
        true ->
            M = monitor(process, P),
            P ! {do, self(), Ops},
            receive
                {'$done', P} -> ok;
                {'DOWN', M, process, P, _} -> ok
            end,
            erlang:demonitor(M, [flush])
    end,
    settle(watched(Env)).

watched(#{names := Names, coll := Coll}) -> [Coll | maps:values(Names)].

%% One scheduler: yield until no other process has anything to do. A process
%% that is loading a module (its first use of io_lib_format, gen_server, ...)
%% waits on the code server, which may wait on file I/O that is no active
%% task: then wait behind that load with a call of our own to the code server.
settle(Watched) -> settle(Watched, ?SETTLE_LIMIT).

settle(_Watched, 0) ->
    exit(settle_limit);
settle(Watched, N) ->
    case erlang:statistics(total_active_tasks_all) of
        1 ->
            case lists:any(fun loading/1, Watched) of
                true -> _ = code:get_path(), settle(Watched, N - 1);
                false -> ok
            end;
        _ ->
            erlang:yield(),
            settle(Watched, N - 1)
    end.

loading(P) ->
    process_info(P, current_function) =:= {current_function, {code_server, call, 1}}.

%%--------------------------------------------------------------------------
%% what every actor does and records
%%--------------------------------------------------------------------------

run_ops(Me, Env, Ops) ->
    lists:foreach(fun(Op) -> op(Me, Env, Op) end, Ops).

op(_Me, Env, {exit, T, R}) ->
    exit(pid(Env, T), R);
op(Me, Env, {send, T, Tag}) ->
    pid(Env, T) ! {msg, Me, Tag};
op(Me, Env, {link, T}) ->
    try link(pid(Env, T))
    catch error:noproc -> rec(Env, Me, T, "link_noproc")
    end;
op(_Me, Env, {unlink, T}) ->
    unlink(pid(Env, T));
op(_Me, Env, {monitor, T}) ->
    Ref = monitor(process, pid(Env, T)),
    put({mons, T}, [Ref | mons(T)]);
op(_Me, _Env, {demonitor, T}) ->
    [erlang:demonitor(Ref) || Ref <- mons(T)],
    erase({mons, T});
op(Me, Env = #{never := Never}, {call, T, Req}) ->
    Timeout = case Req of never -> Never; _ -> infinity end,
    Result = try gen_server:call(pid(Env, T), Req, Timeout) of
                 V -> ["reply ", fmt(V)]
             catch
                 exit:{noproc, _} -> "noproc";
                 exit:{timeout, _} -> "timeout";
                 exit:{R, _} -> ["exit ", fmt(R)]
             end,
    rec(Env, Me, T, ["call ", label(Req), " ", Result]);
op(_Me, Env, {cast_stop, T, R}) ->
    gen_server:cast(pid(Env, T), {stop, R});
op(_Me, _Env, {exit_self, R}) ->
    exit(R).

mons(T) ->
    case get({mons, T}) of
        undefined -> [];
        L -> L
    end.

label(Req) when is_atom(Req) -> atom_to_list(Req);
label(Req) when is_tuple(Req) -> atom_to_list(element(1, Req)).

%% What a process records about a message it handles.
record_info(Me, Env, {msg, From, Tag}) ->
    rec(Env, Me, From, ["msg ", fmt(Tag)]);
record_info(Me, Env, {'EXIT', From, R}) ->
    rec(Env, Me, name_of(Env, From), ["exit_msg ", fmt(R)]);
record_info(Me, Env, {'DOWN', _, process, P, R}) ->
    rec(Env, Me, name_of(Env, P), ["down ", fmt(R)]);
record_info(Me, Env, Other) ->
    rec(Env, Me, '?', ["other ", fmt(Other)]).

rec(#{coll := Coll}, Me, Sender, Text) ->
    Coll ! {rec, iolist_to_binary([to_text(Me), " ", to_text(Sender), " ", Text])},
    ok.

pid(#{names := Names}, T) -> maps:get(T, Names).
name_of(#{rev := Rev}, P) -> maps:get(P, Rev, '?').

to_text(A) when is_atom(A) -> atom_to_list(A);
to_text(S) -> S.

fmt(T) -> io_lib:format("~w", [T]).

%%--------------------------------------------------------------------------
%% plain processes
%%--------------------------------------------------------------------------

proc_loop(Me, Env) ->
    receive
        {do, Driver, Ops} ->
            run_ops(Me, Env, Ops),
            Driver ! {'$done', self()};
        Msg ->
            record_info(Me, Env, Msg)
    end,
    proc_loop(Me, Env).

%%--------------------------------------------------------------------------
%% gen_server
%%--------------------------------------------------------------------------

init(Trap) ->
    process_flag(trap_exit, Trap),
    {ok, #{env => undefined}}.

handle_call(Req, {From, _} = F, S = #{env := Env}) ->
    rec(Env, name_of(Env, self()), name_of(Env, From), ["handled ", label(Req)]),
    case Req of
        echo -> {reply, echo, S};
        later -> self() ! {'$reply_later', F}, {noreply, S};
        never -> {noreply, S};
        {crash, R} -> exit(R);
        {stop_reply, R} -> {stop, R, stopped, S};
        {stop_noreply, R} -> {stop, R, S}
    end.

handle_cast({stop, R}, S) ->
    {stop, R, S}.

handle_info({'$env', D, Env}, S) ->
    D ! {'$env_ok', self()},
    {noreply, S#{env := Env}};
handle_info({do, D, Ops}, S = #{env := Env}) ->
    run_ops(name_of(Env, self()), Env, Ops),
    D ! {'$done', self()},
    {noreply, S};
handle_info({'$reply_later', F}, S) ->
    gen_server:reply(F, later),
    {noreply, S};
handle_info(Msg, S = #{env := Env}) ->
    record_info(name_of(Env, self()), Env, Msg),
    {noreply, S}.

terminate(R, #{env := Env}) ->
    rec(Env, name_of(Env, self()), self, ["terminate ", fmt(R)]).

code_change(_Old, S, _Extra) ->
    {ok, S}.

%%--------------------------------------------------------------------------
%% collector: keeps the records in the order it receives them
%%--------------------------------------------------------------------------

collector(Acc) ->
    receive
        {rec, Line} ->
            collector([Line | Acc]);
        {call, From, Ref, finish} ->
            From ! {Ref, lists:reverse(Acc)},
            collector([])
    end.

coll_call(Coll, Req) ->
    Ref = make_ref(),
    Coll ! {call, self(), Ref, Req},
    receive {Ref, Reply} -> Reply end.
