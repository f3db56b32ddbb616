@echo off
rem Never ends: the harness must stop it at its time limit.
:again
goto again
