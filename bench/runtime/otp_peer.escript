#!/usr/bin/env escript
%% -*- erlang -*-
%%! +S 1 +A 0
%%
%% The real-OTP peer of `npm run bench -- otp` (bench/runtime/otp.mjs): gen_server:call
%% round-trips and supervisor restarts on this machine, one scheduler (the runtime is one thread).
%% It runs one rep per command read from stdin, so the bench alternates OTP and Quiesce rep by rep:
%%
%%   calls 5000 MS        calls to an echo gen_server with a 5 s timeout for at least MS ms
%%   calls infinity MS    the same without a timeout
%%   restarts N MS        N crash -> restart cycles (or MS ms) of a one_for_one supervisor,
%%                        intensity 1e9 in 1 s, with one permanent worker that crashes on `crash`
%%   release              answers `release <OTP release>`
%%   quit
%%
%% and answers each rep with one line: `rate <per second>`.
-module(otp_peer).
-mode(compile).

-export([main/1]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2, code_change/3]).
-export([start_worker/1]).

main(_) ->
    %% Crash reports would cost more than the crashes: the runtime's side logs nothing either.
    logger:set_primary_config(level, none),
    loop().

loop() ->
    case io:get_line("") of
        eof -> halt(0);
        Line ->
            case string:lexemes(string:trim(Line), " ") of
                ["quit"] -> halt(0);
                ["release"] -> io:format("release ~s~n", [erlang:system_info(otp_release)]);
                ["calls", Timeout, Ms] -> answer(calls(timeout(Timeout), list_to_integer(Ms)));
                ["restarts", N, Ms] -> answer(restarts(list_to_integer(N), list_to_integer(Ms)));
                Other -> io:format("error ~p~n", [Other])
            end,
            loop()
    end.

answer(Rate) -> io:format("rate ~.3f~n", [Rate]).

timeout("infinity") -> infinity;
timeout(Ms) -> list_to_integer(Ms).

now_us() -> erlang:monotonic_time(microsecond).

%% ------------------------------------------------------------------ calls

calls(Timeout, Ms) ->
    {ok, Server} = gen_server:start(?MODULE, echo, []),
    Start = now_us(),
    Ops = call_batches(Server, Timeout, Start + Ms * 1000, 0),
    Rate = Ops * 1.0e6 / (now_us() - Start),
    gen_server:stop(Server),
    Rate.

call_batches(Server, Timeout, Until, Ops) ->
    call_n(Server, Timeout, 1000),
    case now_us() >= Until of
        true -> Ops + 1000;
        false -> call_batches(Server, Timeout, Until, Ops + 1000)
    end.

call_n(_, _, 0) -> ok;
call_n(Server, Timeout, N) ->
    N = gen_server:call(Server, N, Timeout),
    call_n(Server, Timeout, N - 1).

%% ------------------------------------------------------------------ restarts

restarts(N, Ms) ->
    Main = self(),
    Flags = #{strategy => one_for_one, intensity => 1000000000, period => 1},
    Child = #{id => w, start => {?MODULE, start_worker, [Main]}, restart => permanent, shutdown => brutal_kill},
    {ok, Sup} = supervisor:start_link(?MODULE, {sup, Flags, [Child]}),
    First = receive {started, P} -> P end,
    Start = now_us(),
    Done = cycle(First, N, Start + Ms * 1000, 0),
    Rate = Done * 1.0e6 / (now_us() - Start),
    unlink(Sup),
    Ref = monitor(process, Sup),
    exit(Sup, shutdown),
    receive {'DOWN', Ref, process, Sup, _} -> ok end,
    flush(),
    Rate.

%% One cycle in flight at a time: crash -> exit -> supervisor restart -> the new worker says so.
cycle(Worker, N, Until, Done) ->
    Worker ! crash,
    Next = receive {started, P} -> P end,
    case Done + 1 >= N orelse now_us() >= Until of
        true -> Done + 1;
        false -> cycle(Next, N, Until, Done + 1)
    end.

flush() ->
    receive _ -> flush() after 0 -> ok end.

start_worker(Main) -> gen_server:start_link(?MODULE, {worker, Main}, []).

%% ------------------------------------------------------------------ callbacks

init(echo) -> {ok, 0};
init({worker, Main}) ->
    Main ! {started, self()},
    {ok, Main};
init({sup, Flags, Children}) -> {ok, {Flags, Children}}.

handle_call(Request, _From, S) when is_integer(S) -> {reply, Request, S + 1}.

handle_cast(_, S) -> {noreply, S}.

handle_info(crash, _S) -> error(boom);
handle_info(_, S) -> {noreply, S}.

terminate(_, _) -> ok.

code_change(_, S, _) -> {ok, S}.
